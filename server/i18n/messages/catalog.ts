/** A domain's messages in one language: the same keys as its English catalog. */
export type Catalog<En> = Record<keyof En, string>;
