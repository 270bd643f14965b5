/** Messages of the lifecycle of members and tenants: deactivation, suspension, export. */
import type { Catalog } from "./catalog";

export const en = {
  "tenant.suspended": 'The organisation "{slug}" is suspended. Contact the platform\'s administrators.',
  "tenant.alreadyInState": "The organisation is already {state}.",
  "member.lastAdmin": "This is the organisation's last active admin: make another member admin first.",
  "member.alreadyInState": "The membership is already {state}.",
  "account.lastAdmin": "You are the last active admin of {slug}: make another member admin there before deleting your account.",
  "account.notScheduled": "Your account is not scheduled for deletion.",
  "account.deletionScheduled":
    "Your Roster account will be deleted on {date}. Sign in and cancel the deletion before then if you did not ask for it.",
  "account.deletionCancelled": "The deletion of your Roster account was cancelled.",
  "child.archived": "{name} is archived: no new enrolment requests. Bring them back first (unarchiveChild).",
  "child.hasHistory":
    "This child has enrolments, attendance or results (history the centre keeps); they cannot be deleted. Archive them instead (archiveChild).",
};

export const ar: Catalog<typeof en> = {
  "tenant.suspended": 'المؤسسة "{slug}" موقوفة. تواصل مع مسؤولي المنصة.',
  "tenant.alreadyInState": "المؤسسة {state} بالفعل.",
  "member.lastAdmin": "هذا آخر مسؤول نشط في المؤسسة: اجعل عضوًا آخر مسؤولًا أولًا.",
  "member.alreadyInState": "العضوية {state} بالفعل.",
  "account.lastAdmin": "أنت آخر مسؤول نشط في {slug}: اجعل عضوًا آخر مسؤولًا هناك قبل حذف حسابك.",
  "account.notScheduled": "حسابك غير مجدول للحذف.",
  "account.deletionScheduled": "سيُحذف حسابك في Roster بتاريخ {date}. سجّل الدخول وألغِ الحذف قبل ذلك إن لم تطلبه.",
  "account.deletionCancelled": "أُلغي حذف حسابك في Roster.",
  "child.archived": "{name} مؤرشف: لا طلبات تسجيل جديدة. أعده أولًا (unarchiveChild).",
  "child.hasHistory": "لهذا الطفل تسجيلات أو حضور أو نتائج (سجلّ يحتفظ به المركز)؛ لا يمكن حذفه. أرشفه بدلًا من ذلك (archiveChild).",
};

export const fr: Catalog<typeof en> = {
  "tenant.suspended": "L’organisation « {slug} » est suspendue. Contactez les administrateurs de la plateforme.",
  "tenant.alreadyInState": "L’organisation est déjà {state}.",
  "member.lastAdmin": "C’est le dernier administrateur actif de l’organisation : nommez d’abord un autre administrateur.",
  "member.alreadyInState": "L’adhésion est déjà {state}.",
  "account.lastAdmin":
    "Vous êtes le dernier administrateur actif de {slug} : nommez-y un autre administrateur avant de supprimer votre compte.",
  "account.notScheduled": "Votre compte n’est pas programmé pour suppression.",
  "account.deletionScheduled":
    "Votre compte Roster sera supprimé le {date}. Connectez-vous et annulez la suppression avant cette date si vous ne l’avez pas demandée.",
  "account.deletionCancelled": "La suppression de votre compte Roster a été annulée.",
  "child.archived": "{name} est archivé : plus de nouvelles demandes d’inscription. Rétablissez-le d’abord (unarchiveChild).",
  "child.hasHistory":
    "Cet enfant a des inscriptions, des présences ou des résultats (un historique que le centre garde) ; il ne peut pas être supprimé. Archivez-le plutôt (archiveChild).",
};
