/** Messages of people: a child's guardians, imports. */
import type { Catalog } from "./catalog";

export const en = {
  "guardian.contactRequired": "Give exactly one of phoneNumber or email.",
  "guardian.notMember":
    "No member of this organisation has that phone number or email. Staff can invite the person first (with the PARENT role).",
  "guardian.already": "This person is already a guardian of the child.",
  "guardian.last": "A child keeps at least one guardian: add another before removing this one.",
  "guardian.tooMany": "A child has at most {max} guardians.",
  "import.tooBig": "The file is too big: at most {max} {reason}.",
  "import.unreadable": "The file cannot be read as the format given: {reason}.",
} as const;

export const ar: Catalog<typeof en> = {
  "guardian.contactRequired": "أدخل رقم الهاتف أو البريد الإلكتروني، واحدًا منهما فقط.",
  "guardian.notMember": "لا يوجد عضو في هذه المؤسسة بهذا الرقم أو البريد. يمكن للموظفين دعوة الشخص أولًا (بدور وليّ أمر).",
  "guardian.already": "هذا الشخص وليّ أمر لهذا الطفل بالفعل.",
  "guardian.last": "يجب أن يبقى للطفل وليّ أمر واحد على الأقل: أضف وليًّا آخر قبل حذف هذا.",
  "guardian.tooMany": "للطفل {max} أولياء أمور على الأكثر.",
  "import.tooBig": "الملف كبير جدًا: {max} {reason} على الأكثر.",
  "import.unreadable": "تعذّرت قراءة الملف بالصيغة المحددة: {reason}.",
};

export const fr: Catalog<typeof en> = {
  "guardian.contactRequired": "Indiquez soit phoneNumber, soit email (un seul des deux).",
  "guardian.notMember":
    "Aucun membre de cette organisation n'a ce numéro ou cet e-mail. Le personnel peut d'abord inviter la personne (rôle PARENT).",
  "guardian.already": "Cette personne est déjà responsable de l'enfant.",
  "guardian.last": "Un enfant garde au moins un responsable : ajoutez-en un autre avant de retirer celui-ci.",
  "guardian.tooMany": "Un enfant a au plus {max} responsables.",
  "import.tooBig": "Le fichier est trop grand : au plus {max} {reason}.",
  "import.unreadable": "Le fichier ne peut pas être lu dans le format indiqué : {reason}.",
};
