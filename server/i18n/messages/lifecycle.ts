/** Messages of the lifecycle of members and tenants: deactivation, suspension, export. */
import type { Catalog } from "./catalog";

export const en = {
  "tenant.suspended": 'The organisation "{slug}" is suspended. Contact the platform\'s administrators.',
  "tenant.alreadyInState": "The organisation is already {state}.",
  "member.lastAdmin": "This is the organisation's last active admin: make another member admin first.",
  "member.alreadyInState": "The membership is already {state}.",
  "child.archived": "{name} is archived: no new enrolment requests. Bring them back first (unarchiveChild).",
  "child.hasHistory":
    "This child has enrolments, attendance or results (history the centre keeps); they cannot be deleted. Archive them instead (archiveChild).",
};

export const ar: Catalog<typeof en> = {
  "tenant.suspended": 'المؤسسة "{slug}" موقوفة. تواصل مع مسؤولي المنصة.',
  "tenant.alreadyInState": "المؤسسة {state} بالفعل.",
  "member.lastAdmin": "هذا آخر مسؤول نشط في المؤسسة: اجعل عضوًا آخر مسؤولًا أولًا.",
  "member.alreadyInState": "العضوية {state} بالفعل.",
  "child.archived": "{name} مؤرشف: لا طلبات تسجيل جديدة. أعده أولًا (unarchiveChild).",
  "child.hasHistory": "لهذا الطفل تسجيلات أو حضور أو نتائج (سجلّ يحتفظ به المركز)؛ لا يمكن حذفه. أرشفه بدلًا من ذلك (archiveChild).",
};

export const fr: Catalog<typeof en> = {
  "tenant.suspended": "L’organisation « {slug} » est suspendue. Contactez les administrateurs de la plateforme.",
  "tenant.alreadyInState": "L’organisation est déjà {state}.",
  "member.lastAdmin": "C’est le dernier administrateur actif de l’organisation : nommez d’abord un autre administrateur.",
  "member.alreadyInState": "L’adhésion est déjà {state}.",
  "child.archived": "{name} est archivé : plus de nouvelles demandes d’inscription. Rétablissez-le d’abord (unarchiveChild).",
  "child.hasHistory":
    "Cet enfant a des inscriptions, des présences ou des résultats (un historique que le centre garde) ; il ne peut pas être supprimé. Archivez-le plutôt (archiveChild).",
};
