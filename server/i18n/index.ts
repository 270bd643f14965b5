/**
 * Messages in Arabic (primary), English and French. Errors and notifications are
 * written in the viewer's language: their preference, else Accept-Language,
 * else the tenant's default. Each domain keeps its messages in messages/<domain>.ts
 * (English is the source of the keys; ar and fr must have every key).
 */
import * as attendance from "./messages/attendance";
import * as core from "./messages/core";
import * as courses from "./messages/courses";
import * as events from "./messages/events";
import * as invitations from "./messages/invitations";
import * as jobs from "./messages/jobs";
import * as lifecycle from "./messages/lifecycle";
import * as notifications from "./messages/notifications";
import * as payments from "./messages/payments";
import * as people from "./messages/people";
import * as queries from "./messages/queries";
import * as waitlists from "./messages/waitlists";

const domains = [
  core,
  queries,
  courses,
  attendance,
  events,
  payments,
  jobs,
  invitations,
  notifications,
  people,
  waitlists,
  lifecycle,
] as const;

type English = (typeof domains)[number]["en"];
/** Every message key (union of the domains' keys). */
export type MessageKey = English extends infer E ? (E extends unknown ? keyof E : never) : never;

export const LANGUAGES = ["ar", "en", "fr"] as const;
export type Language = (typeof LANGUAGES)[number];
export type MessageParams = Record<string, string | number>;

const catalogs: Record<Language, Record<string, string>> = {
  ar: Object.assign({}, ...domains.map((domain) => domain.ar)),
  en: Object.assign({}, ...domains.map((domain) => domain.en)),
  fr: Object.assign({}, ...domains.map((domain) => domain.fr)),
};

/** The message for `key` in `language`, with `{name}` placeholders filled in. */
export function translate(language: Language, key: MessageKey, params: MessageParams = {}): string {
  const template = catalogs[language][key] ?? catalogs.en[key] ?? key;
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
