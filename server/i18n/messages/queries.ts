/** Messages of the query layer: cost, execution budget, input no field takes. */
import type { Catalog } from "./catalog";

export const en = {
  "query.tooComplex":
    "The query could return up to {cost} objects; the limit is {limit}. Ask for smaller pages (first) or fewer nested lists.",
  "query.overTime": "The request ran longer than its budget of {ms} ms and was stopped; nothing it wrote was kept.",
  "query.tooLarge": "The answer would be larger than {limit} bytes; ask for smaller pages (first) or fewer fields.",
  "input.nulByte": "{field} contains a NUL character (\\0), which no field accepts.",
  "query.persistedNotFound":
    "No trusted document has the hash {hash}: send the id of an operation from the server's trusted-documents manifest.",
  "query.notTrusted":
    "This server runs only trusted documents (its clients' own operations): send one by its hash (extensions.persistedQuery.sha256Hash or documentId).",
} as const;

export const ar: Catalog<typeof en> = {
  "query.tooComplex": "قد يعيد الاستعلام حتى {cost} كائنًا والحد الأقصى {limit}. اطلب صفحات أصغر (first) أو قوائم متداخلة أقل.",
  "query.overTime": "استغرق الطلب أكثر من مدته المسموحة {ms} مللي ثانية فأوقف، ولم يُحفظ شيء مما كتبه.",
  "query.tooLarge": "ستكون الإجابة أكبر من {limit} بايت؛ اطلب صفحات أصغر (first) أو حقولًا أقل.",
  "input.nulByte": "يحتوي {field} على المحرف NUL (\\0) ولا يقبله أي حقل.",
  "query.persistedNotFound": "لا يوجد مستند موثوق بالبصمة {hash}: أرسل معرّف عملية من قائمة المستندات الموثوقة للخادم.",
  "query.notTrusted":
    "لا ينفّذ هذا الخادم إلا المستندات الموثوقة (عمليات عملائه): أرسل العملية ببصمتها (extensions.persistedQuery.sha256Hash أو documentId).",
};

export const fr: Catalog<typeof en> = {
  "query.tooComplex":
    "La requête pourrait renvoyer jusqu’à {cost} objets ; la limite est {limit}. Demandez des pages plus petites (first) ou moins de listes imbriquées.",
  "query.overTime": "La requête a dépassé son budget de {ms} ms et a été arrêtée ; rien de ce qu’elle a écrit n’a été conservé.",
  "query.tooLarge": "La réponse dépasserait {limit} octets ; demandez des pages plus petites (first) ou moins de champs.",
  "input.nulByte": "{field} contient un caractère NUL (\\0), qu’aucun champ n’accepte.",
  "query.persistedNotFound":
    "Aucun document de confiance n’a l’empreinte {hash} : envoyez l’identifiant d’une opération du manifeste des documents de confiance du serveur.",
  "query.notTrusted":
    "Ce serveur n’exécute que des documents de confiance (les opérations de ses propres clients) : envoyez-en un par son empreinte (extensions.persistedQuery.sha256Hash ou documentId).",
};
