/**
 * Messages in Arabic (primary), English and French. Errors and notifications are
 * written in the viewer's language: their preference, else Accept-Language,
 * else the tenant's default.
 */
import { ar } from "./ar";
import { en, type MessageKey } from "./en";
import { fr } from "./fr";

export type { MessageKey };
export const LANGUAGES = ["ar", "en", "fr"] as const;
export type Language = (typeof LANGUAGES)[number];
export type MessageParams = Record<string, string | number>;

const catalogs: Record<Language, Record<MessageKey, string>> = { ar, en, fr };

/** The message for `key` in `language`, with `{name}` placeholders filled in. */
export function translate(language: Language, key: MessageKey, params: MessageParams = {}): string {
  const template = catalogs[language][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

export const isLanguage = (value: unknown): value is Language => LANGUAGES.includes(value as Language);

/** Best supported language of an Accept-Language header, or undefined. */
export function fromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(",")
    .map((part) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())).find(Boolean);
      return { lang: tag!.toLowerCase().split("-")[0], q: q ? Number(q[1]) : 1 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((entry) => entry.lang).find(isLanguage);
}
