/** Messages of attendance, ratings, devices and notifications. */
import type { Catalog } from "./catalog";

export const en = {
  "attendance.notYourLecture": "Only staff and the course's instructor may take attendance for this lecture.",
  "attendance.ratingRequired": "Row {row}: a rating from 1.00 to 10.00 is required when present.",
  "attendance.ratingRange": "Row {row}: rating {rating} must be from 1.00 to 10.00.",
  "attendance.ratingWhenAbsent": "Row {row}: an absent participant has no rating.",
  "attendance.duplicateRow": "Row {row}: the same participant as row {first}.",
  "attendance.oneTarget": "Give exactly one of lectureId or courseId.",
  "rating.noInstructor": "This course has no instructor to rate.",
  "rating.notEnrolled": "Only students and parents enrolled in the course may rate its instructor.",
  "notification.absent.title": "Marked absent",
  "notification.absent.body": "{participant} was marked absent from {course} on {date}.",
} as const;

export const ar: Catalog<typeof en> = {
  "attendance.notYourLecture": "لا يسجّل حضور هذه المحاضرة إلا الموظفون ومدرّس الدورة.",
  "attendance.ratingRequired": "السطر {row}: التقييم من 1.00 إلى 10.00 مطلوب عند الحضور.",
  "attendance.ratingRange": "السطر {row}: يجب أن يكون التقييم {rating} بين 1.00 و 10.00.",
  "attendance.ratingWhenAbsent": "السطر {row}: لا يُقيَّم المشارك الغائب.",
  "attendance.duplicateRow": "السطر {row}: نفس المشارك في السطر {first}.",
  "attendance.oneTarget": "حدّد واحدًا فقط من lectureId أو courseId.",
  "rating.noInstructor": "لا يوجد مدرّس لهذه الدورة لتقييمه.",
  "rating.notEnrolled": "لا يقيّم المدرّس إلا الطلاب وأولياء الأمور المسجلون في الدورة.",
  "notification.absent.title": "تسجيل غياب",
  "notification.absent.body": "تم تسجيل غياب {participant} عن {course} بتاريخ {date}.",
};

export const fr: Catalog<typeof en> = {
  "attendance.notYourLecture": "Seuls le personnel et l’enseignant du cours peuvent faire l’appel de cette séance.",
  "attendance.ratingRequired": "Ligne {row} : une note de 1.00 à 10.00 est requise en cas de présence.",
  "attendance.ratingRange": "Ligne {row} : la note {rating} doit être entre 1.00 et 10.00.",
  "attendance.ratingWhenAbsent": "Ligne {row} : un participant absent n’a pas de note.",
  "attendance.duplicateRow": "Ligne {row} : le même participant qu’à la ligne {first}.",
  "attendance.oneTarget": "Indiquez exactement un de lectureId ou courseId.",
  "rating.noInstructor": "Ce cours n’a pas d’enseignant à noter.",
  "rating.notEnrolled": "Seuls les élèves et parents inscrits au cours peuvent noter son enseignant.",
  "notification.absent.title": "Absence enregistrée",
  "notification.absent.body": "{participant} a été noté absent à {course} le {date}.",
};
