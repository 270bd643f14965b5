/** Messages of the scheduled jobs' reports (cron logs, weekly instructor attendance). */
import type { Catalog } from "./catalog";

export const en = {
  "jobs.unknownJob": 'Unknown job "{job}"; the jobs are: {jobs}.',
  "jobs.weekStart": "weekStart must be a Sunday (report weeks run Sunday to Saturday); {date} is not.",
  "jobs.notYourReport": "Instructors may only read their own attendance report.",
} as const;

export const ar: Catalog<typeof en> = {
  "jobs.unknownJob": 'المهمة "{job}" غير معروفة؛ المهام هي: {jobs}.',
  "jobs.weekStart": "يجب أن يكون weekStart يوم أحد (أسابيع التقارير من الأحد إلى السبت)؛ {date} ليس كذلك.",
  "jobs.notYourReport": "لا يطّلع المدرّس إلا على تقرير حضوره هو.",
};

export const fr: Catalog<typeof en> = {
  "jobs.unknownJob": "Tâche « {job} » inconnue ; les tâches sont : {jobs}.",
  "jobs.weekStart": "weekStart doit être un dimanche (les semaines de rapport vont du dimanche au samedi) ; {date} n’en est pas un.",
  "jobs.notYourReport": "Un enseignant ne peut lire que son propre rapport de présence.",
};
