/** Messages of course waitlists and their timed offers, of refund policies and of receipts (issue 13). */
import type { Catalog } from "./catalog";

export const en = {
  "waitlist.alreadyInLine": "{participant} is already in this course's waitlist.",
  "waitlist.placesFree": "The course has {free} free places: ask for enrolment instead.",
  "waitlist.offerExpired": "This offer has expired; the place went to the next in line.",
  "refund.overPolicy": "The course's refund policy allows {refundable} {currency} now ({percent} % less its fee).",
  "notification.waitlistOffer.title": "A place is free",
  "notification.waitlistOffer.body":
    "A place in {course} is offered to {participants} until {expiresAt}. Accept it before then, or it passes to the next in line.",
  "receipt.title": "Receipt",
  "receipt.refundTitle": "Refund receipt",
  "receipt.number": "Receipt number",
  "receipt.date": "Date",
  "receipt.centre": "Centre",
  "receipt.payer": "Paid by",
  "receipt.participant": "Participant",
  "receipt.course": "Course",
  "receipt.amount": "Amount",
  "receipt.footer": "Thank you. Keep this receipt for your records.",
};

export const ar: Catalog<typeof en> = {
  "waitlist.alreadyInLine": "{participant} موجود بالفعل في قائمة انتظار هذه الدورة.",
  "waitlist.placesFree": "في الدورة {free} أماكن شاغرة: قدّم طلب تسجيل بدلًا من ذلك.",
  "waitlist.offerExpired": "انتهت مدة هذا العرض؛ انتقل المكان إلى التالي في قائمة الانتظار.",
  "refund.overPolicy": "تسمح سياسة الاسترداد لهذه الدورة الآن باسترداد {refundable} {currency} ({percent} % بعد خصم الرسوم).",
  "notification.waitlistOffer.title": "يوجد مكان شاغر",
  "notification.waitlistOffer.body":
    "يُعرض مكان في {course} على {participants} حتى {expiresAt}. اقبله قبل ذلك، وإلا انتقل إلى التالي في قائمة الانتظار.",
  "receipt.title": "إيصال",
  "receipt.refundTitle": "إيصال استرداد",
  "receipt.number": "رقم الإيصال",
  "receipt.date": "التاريخ",
  "receipt.centre": "المركز",
  "receipt.payer": "الدافع",
  "receipt.participant": "المشارك",
  "receipt.course": "الدورة",
  "receipt.amount": "المبلغ",
  "receipt.footer": "شكرًا لكم. احتفظوا بهذا الإيصال.",
};

export const fr: Catalog<typeof en> = {
  "waitlist.alreadyInLine": "{participant} est déjà sur la liste d’attente de ce cours.",
  "waitlist.placesFree": "Le cours a {free} places libres : faites plutôt une demande d’inscription.",
  "waitlist.offerExpired": "Cette offre a expiré ; la place est passée au suivant de la liste.",
  "refund.overPolicy": "La politique de remboursement du cours permet {refundable} {currency} maintenant ({percent} % moins les frais).",
  "notification.waitlistOffer.title": "Une place s’est libérée",
  "notification.waitlistOffer.body":
    "Une place à {course} est proposée à {participants} jusqu’au {expiresAt}. Acceptez-la avant, sinon elle passe au suivant de la liste.",
  "receipt.title": "Reçu",
  "receipt.refundTitle": "Reçu de remboursement",
  "receipt.number": "Numéro du reçu",
  "receipt.date": "Date",
  "receipt.centre": "Centre",
  "receipt.payer": "Payé par",
  "receipt.participant": "Participant",
  "receipt.course": "Cours",
  "receipt.amount": "Montant",
  "receipt.footer": "Merci. Conservez ce reçu.",
};
