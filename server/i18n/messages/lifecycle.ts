/** Messages of the lifecycle of members and tenants: deactivation, suspension, export. */
import type { Catalog } from "./catalog";

export const en = {
  "tenant.suspended": 'The organisation "{slug}" is suspended. Contact the platform\'s administrators.',
  "tenant.alreadyInState": "The organisation is already {state}.",
  "member.lastAdmin": "This is the organisation's last active admin: make another member admin first.",
  "member.alreadyInState": "The membership is already {state}.",
};

export const ar: Catalog<typeof en> = {
  "tenant.suspended": 'المؤسسة "{slug}" موقوفة. تواصل مع مسؤولي المنصة.',
  "tenant.alreadyInState": "المؤسسة {state} بالفعل.",
  "member.lastAdmin": "هذا آخر مسؤول نشط في المؤسسة: اجعل عضوًا آخر مسؤولًا أولًا.",
  "member.alreadyInState": "العضوية {state} بالفعل.",
};

export const fr: Catalog<typeof en> = {
  "tenant.suspended": "L’organisation « {slug} » est suspendue. Contactez les administrateurs de la plateforme.",
  "tenant.alreadyInState": "L’organisation est déjà {state}.",
  "member.lastAdmin": "C’est le dernier administrateur actif de l’organisation : nommez d’abord un autre administrateur.",
  "member.alreadyInState": "L’adhésion est déjà {state}.",
};
