/**
 * Languages of the back office: Arabic (default, right to left), English, French.
 * The choice persists in localStorage. Dates, times and money are shown in the
 * active tenant's time zone and currency, in the chosen language's conventions.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { setApiLanguage } from "../api/client";
import { ar } from "./ar";
import { en, type MessageKey } from "./en";
import { fr } from "./fr";

export type Language = "ar" | "en" | "fr";
export const LANGUAGES: { value: Language; label: string }[] = [
  { value: "ar", label: "العربية" },
  { value: "en", label: "English" },
  { value: "fr", label: "Français" },
];
const catalogs: Record<Language, Record<MessageKey, string>> = { en, ar, fr };
const STORAGE_KEY = "roster.admin.language";
const LOCALES: Record<Language, string> = { ar: "ar-EG", en: "en-GB", fr: "fr-FR" };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

interface I18n {
  language: Language;
  dir: "rtl" | "ltr";
  locale: string;
  t: Translate;
  setLanguage(language: Language): void;
}

const I18nContext = createContext<I18n | null>(null);

function storedLanguage(): Language {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    if (value === "ar" || value === "en" || value === "fr") return value;
  } catch {
    // storage unavailable: the default
  }
  return "ar";
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(storedLanguage);
  const dir = language === "ar" ? "rtl" : "ltr";
  setApiLanguage(language);
  useEffect(() => {
    document.documentElement.lang = language;
    document.documentElement.dir = dir;
  }, [language, dir]);
  const setLanguage = useCallback((next: Language) => {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // not persisted; still switched
    }
    setLanguageState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const catalog = catalogs[language];
    const t: Translate = (key, params) =>
      (catalog[key] ?? en[key] ?? key).replace(/\{(\w+)\}/g, (match, name: string) =>
        params && name in params ? String(params[name]) : match,
      );
    return { language, dir, locale: LOCALES[language], t, setLanguage };
  }, [language, dir, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}

/** Formatting in the tenant's time zone and currency. */
export interface Formats {
  dateTime(iso: string | null | undefined): string;
  date(localDate: string | null | undefined): string;
  time(localTime: string | null | undefined): string;
  money(money: { amount: string; currency: string } | null | undefined): string;
  /** Today's date (YYYY-MM-DD) in the tenant's time zone. */
  today(): string;
  /** A local date and time in the tenant's zone → an ISO instant (for DateTime inputs). */
  toInstant(localDateTime: string): string;
}

export function makeFormats(locale: string, timeZone: string): Formats {
  const dateTime = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: "medium", timeStyle: "short" });
  const date = new Intl.DateTimeFormat(locale, { timeZone: "UTC", weekday: "short", day: "numeric", month: "short", year: "numeric" });
  const time = new Intl.DateTimeFormat(locale, { timeZone: "UTC", hour: "numeric", minute: "2-digit" });
  const isoDay = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const money = new Map<string, Intl.NumberFormat>();
  return {
    dateTime: (iso) => (iso ? dateTime.format(new Date(iso)) : "—"),
    date: (value) => (value ? date.format(new Date(`${value}T00:00:00Z`)) : "—"),
    time: (value) => (value ? time.format(new Date(`1970-01-01T${value.length === 5 ? `${value}:00` : value}Z`)) : "—"),
    money: (value) => {
      if (!value) return "—";
      let format = money.get(value.currency);
      if (!format) money.set(value.currency, (format = new Intl.NumberFormat(locale, { style: "currency", currency: value.currency })));
      return format.format(Number(value.amount));
    },
    today: () => isoDay.format(new Date()),
    toInstant: (local) => {
      // The zone's offset at that moment: format the naive UTC reading back in the zone and correct.
      const naive = new Date(`${local}:00Z`);
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat("en-US", {
          timeZone,
          hourCycle: "h23",
          year: "numeric",
          month: "2-digit",
          day: "2-digit",
          hour: "2-digit",
          minute: "2-digit",
        })
          .formatToParts(naive)
          .map((part) => [part.type, part.value]),
      );
      const shown = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
      return new Date(naive.getTime() - (shown - naive.getTime())).toISOString();
    },
  };
}

export type { MessageKey };
