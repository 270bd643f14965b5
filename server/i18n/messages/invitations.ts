/** Messages of invitations: joining a tenant with the person's consent. */
import type { Catalog } from "./catalog";

export const en = {
  "invitation.staffRolesAdminOnly": "Only an admin may offer the roles {roles}.",
  "invitation.rolesRequired": "Offer at least one role.",
  "invitation.nameRequired": "Give the person's first name.",
  "invitation.textInvalid": "{field} may be at most {max} characters, without control characters.",
  "invitation.expired": "This invitation expired on {date}. Ask the organisation to invite you again.",
  "invitation.declined": "You declined this invitation. Ask the organisation to invite you again.",
  "invitation.revoked": "The organisation withdrew this invitation.",
  "invitation.alreadyAccepted": "This invitation was already accepted.",
  "notification.invitation.title": "Invitation from {tenant}",
  "notification.invitation.body":
    "{inviter} invites you to join {tenant} as {roles}. Accept or decline it in your invitations before {expires}.",
  "role.ADMIN": "admin",
  "role.STAFF": "staff",
  "role.INSTRUCTOR": "instructor",
  "role.PARENT": "parent",
  "role.STUDENT": "student",
  "role.MEMBER": "member",
} as const;

export const ar: Catalog<typeof en> = {
  "invitation.staffRolesAdminOnly": "يمكن للمسؤول فقط عرض الأدوار {roles}.",
  "invitation.rolesRequired": "اعرض دورًا واحدًا على الأقل.",
  "invitation.nameRequired": "أدخل الاسم الأول للشخص.",
  "invitation.textInvalid": "يجب ألا يتجاوز {field} {max} حرفًا، ودون رموز تحكم.",
  "invitation.expired": "انتهت صلاحية هذه الدعوة في {date}. اطلب من المؤسسة دعوتك مرة أخرى.",
  "invitation.declined": "لقد رفضت هذه الدعوة. اطلب من المؤسسة دعوتك مرة أخرى.",
  "invitation.revoked": "سحبت المؤسسة هذه الدعوة.",
  "invitation.alreadyAccepted": "تم قبول هذه الدعوة بالفعل.",
  "notification.invitation.title": "دعوة من {tenant}",
  "notification.invitation.body": "يدعوك {inviter} للانضمام إلى {tenant} بصفة {roles}. اقبلها أو ارفضها من دعواتك قبل {expires}.",
  "role.ADMIN": "مسؤول",
  "role.STAFF": "موظف",
  "role.INSTRUCTOR": "مدرّب",
  "role.PARENT": "وليّ أمر",
  "role.STUDENT": "طالب",
  "role.MEMBER": "عضو",
};

export const fr: Catalog<typeof en> = {
  "invitation.staffRolesAdminOnly": "Seul un administrateur peut proposer les rôles {roles}.",
  "invitation.rolesRequired": "Proposez au moins un rôle.",
  "invitation.nameRequired": "Indiquez le prénom de la personne.",
  "invitation.textInvalid": "{field} doit faire au plus {max} caractères, sans caractères de contrôle.",
  "invitation.expired": "Cette invitation a expiré le {date}. Demandez à l'organisation de vous inviter à nouveau.",
  "invitation.declined": "Vous avez refusé cette invitation. Demandez à l'organisation de vous inviter à nouveau.",
  "invitation.revoked": "L'organisation a retiré cette invitation.",
  "invitation.alreadyAccepted": "Cette invitation a déjà été acceptée.",
  "notification.invitation.title": "Invitation de {tenant}",
  "notification.invitation.body":
    "{inviter} vous invite à rejoindre {tenant} en tant que {roles}. Acceptez-la ou refusez-la dans vos invitations avant le {expires}.",
  "role.ADMIN": "administrateur",
  "role.STAFF": "personnel",
  "role.INSTRUCTOR": "formateur",
  "role.PARENT": "parent",
  "role.STUDENT": "élève",
  "role.MEMBER": "membre",
};
