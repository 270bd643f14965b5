/** Messages of the query layer: cost, execution budget, input no field takes. */
import type { Catalog } from "./catalog";

export const en = {
  "query.tooComplex": "The query could return up to {cost} values; the limit is {limit}. Ask for smaller pages (first) or fewer nested lists.",
  "query.overTime": "The request ran longer than its budget of {ms} ms and was stopped; nothing it wrote was kept.",
  "query.tooLarge": "The answer would be larger than {limit} bytes; ask for smaller pages (first) or fewer fields.",
  "input.nulByte": "{field} contains a NUL character (\\0), which no field accepts.",
} as const;

export const ar: Catalog<typeof en> = {
  "query.tooComplex": "قد يعيد الاستعلام حتى {cost} قيمة والحد الأقصى {limit}. اطلب صفحات أصغر (first) أو قوائم متداخلة أقل.",
  "query.overTime": "استغرق الطلب أكثر من مدته المسموحة {ms} مللي ثانية فأوقف، ولم يُحفظ شيء مما كتبه.",
  "query.tooLarge": "ستكون الإجابة أكبر من {limit} بايت؛ اطلب صفحات أصغر (first) أو حقولًا أقل.",
  "input.nulByte": "يحتوي {field} على المحرف NUL (\\0) ولا يقبله أي حقل.",
};

export const fr: Catalog<typeof en> = {
  "query.tooComplex": "La requête pourrait renvoyer jusqu’à {cost} valeurs ; la limite est {limit}. Demandez des pages plus petites (first) ou moins de listes imbriquées.",
  "query.overTime": "La requête a dépassé son budget de {ms} ms et a été arrêtée ; rien de ce qu’elle a écrit n’a été conservé.",
  "query.tooLarge": "La réponse dépasserait {limit} octets ; demandez des pages plus petites (first) ou moins de champs.",
  "input.nulByte": "{field} contient un caractère NUL (\\0), qu’aucun champ n’accepte.",
};
