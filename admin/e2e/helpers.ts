import AxeBuilder from "@axe-core/playwright";
import { expect, type Browser, type Page } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";

export const PASSWORD = "roster-demo";
export const DEMO = {
  admin: "admin@redwan.example",
  instructor: "+201000000002",
  parent: "parent@redwan.example",
} as const;

const SCREENSHOTS = path.join(import.meta.dirname, "artifacts", "screenshots");

/** A fresh browser context whose pages start in `language` (unless the app switched it since). */
export async function newPage(browser: Browser, language: "ar" | "en" | "fr" = "en"): Promise<Page> {
  const context = await browser.newContext();
  await context.addInitScript((lang) => {
    if (!localStorage.getItem("roster.admin.language")) localStorage.setItem("roster.admin.language", lang);
  }, language);
  return context.newPage();
}

export async function signIn(page: Page, identifier: string, password = PASSWORD) {
  await page.goto("/admin/");
  await page.locator("input[name=identifier]").fill(identifier);
  await page.locator("input[name=password]").fill(password);
  await page.locator("form button[type=submit]").click();
}

/** No serious or critical accessibility violations on the page as it is now. */
export async function expectAccessible(page: Page, name: string) {
  // The page at rest: no hover left by the last click, colour transitions over.
  await page.mouse.move(0, 0);
  await page.waitForTimeout(250);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect(
    serious.map(
      (violation) =>
        `${name}: ${violation.id} (${violation.impact}) ${violation.nodes
          .map((node) => node.target.join(" "))
          .slice(0, 3)
          .join(", ")}`,
    ),
  ).toEqual([]);
}

/**
 * Every visible control of the page receives focus by Tab alone, in some order.
 * (Controls inside closed menus are not visible, so not counted; the other tabs of
 * a tab list and the other options of a radio group are reached with the arrow
 * keys from the one Tab reaches, as WAI-ARIA's roving focus has it.)
 */
export async function expectKeyboardReachable(page: Page, name: string) {
  const controls = await page.evaluate(() => {
    const selector =
      "summary, a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
    const visible = (element: Element) => {
      const box = (element as HTMLElement).getBoundingClientRect();
      const style = getComputedStyle(element);
      return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && !element.closest("[aria-hidden=true], [inert]");
    };
    const roving = (element: Element) =>
      (element.getAttribute("role") === "tab" && element.getAttribute("tabindex") === "-1") ||
      (element instanceof HTMLInputElement && element.type === "radio" && !element.checked);
    const all = [...document.querySelectorAll(selector)].filter((element) => visible(element) && !roving(element));
    all.forEach((element, index) => {
      element.setAttribute("data-e2e-control", String(index));
    });
    return all.length;
  });
  const reached = new Set<string>();
  await page.locator("body").focus();
  for (let i = 0; i < controls * 2 + 20 && reached.size < controls; i++) {
    await page.keyboard.press("Tab");
    const id = await page.evaluate(() => document.activeElement?.closest("[data-e2e-control]")?.getAttribute("data-e2e-control") ?? null);
    if (id !== null) reached.add(id);
  }
  const missed = await page.evaluate(
    (seen) =>
      [...document.querySelectorAll("[data-e2e-control]")]
        .filter((element) => !seen.includes(element.getAttribute("data-e2e-control")!))
        .map((element) => element.outerHTML.slice(0, 120)),
    [...reached],
  );
  expect(missed, `${name}: controls Tab never reaches`).toEqual([]);
}

export async function screenshot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
}
