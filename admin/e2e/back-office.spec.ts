/**
 * A centre's day in the back office, as staff do it: in Debian's Chromium against
 * a real server on the demo data (see playwright.config.ts).
 */
import { expect, test, type Page } from "@playwright/test";
import { DEMO, expectAccessible, expectKeyboardReachable, newPage, screenshot, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

let admin: Page;

test.beforeAll(async ({ browser }) => {
  admin = await newPage(browser, "en");
});

test("Arabic is the default: right to left, translated labels; the choice persists", async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/admin/");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.locator("html")).toHaveAttribute("lang", "ar");
  await expect(page.getByRole("heading", { name: "تسجيل الدخول" })).toBeVisible();
  await expect(page.getByLabel("رقم الهاتف أو البريد الإلكتروني")).toBeVisible();
  await expectAccessible(page, "sign-in (ar)");
  await screenshot(page, "ar-sign-in");
  // English, then French, from the language menu; the choice survives a reload.
  await page.getByRole("combobox", { name: "اللغة" }).click();
  await page.getByRole("option", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("dir", "ltr");
  await expect(page.getByLabel("Phone number or email")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Phone number or email")).toBeVisible();
  await page.getByRole("combobox", { name: "Language" }).click();
  await page.getByRole("option", { name: "Français" }).click();
  await expect(page.getByLabel("Téléphone ou e-mail")).toBeVisible();
  await page.context().close();
});

test("a parent cannot open the back office", async ({ browser }) => {
  const page = await newPage(browser, "en");
  await signIn(page, DEMO.parent);
  await expect(page.getByRole("alert")).toContainText("no staff access");
  await expect(page.getByLabel("Phone number or email")).toBeVisible();
  // Nothing of the app shows after a reload either (the session was signed out).
  await page.reload();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main navigation" })).toHaveCount(0);
  await page.context().close();
});

test("a wrong password is the API's typed error, in the user's language", async ({ browser }) => {
  const page = await newPage(browser, "fr");
  await signIn(page, DEMO.admin, "not the password");
  await expect(page.getByLabel("Téléphone ou e-mail")).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("L’identifiant ou le mot de passe est incorrect");
  await page.context().close();
});

test("the admin signs in and sees today", async () => {
  await signIn(admin, DEMO.admin);
  await expect(admin.getByRole("heading", { level: 1, name: /^Today/ })).toBeVisible();
  await expect(admin.getByRole("heading", { name: "Enrolment requests waiting" })).toBeVisible();
  await expect(admin.getByText("Laila Ali → Arabic calligraphy")).toBeVisible();
  // A reload keeps the session: the refresh token is in the HttpOnly cookie, never in script reach.
  await admin.reload();
  await expect(admin.getByRole("heading", { level: 1, name: /^Today/ })).toBeVisible();
  expect(await admin.evaluate(() => document.cookie)).not.toContain("roster_refresh");
  const cookies = await admin.context().cookies();
  expect(cookies.find((cookie) => cookie.name === "roster_refresh")).toMatchObject({
    httpOnly: true,
    sameSite: "Strict",
    path: "/graphql",
  });
});

test("approve the pending enrolment request", async () => {
  await admin.getByRole("link", { name: "Enrolment", exact: true }).click();
  const row = admin.getByTestId("request-row").filter({ hasText: "Laila Ali" });
  await expect(row).toContainText("Arabic calligraphy");
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(admin.getByText("No requests.")).toBeVisible();
  await admin.getByRole("tab", { name: "Enrolments per course" }).click();
  await admin.getByRole("combobox", { name: "Course" }).click();
  await admin.getByRole("option", { name: "Arabic calligraphy" }).click();
  await expect(admin.getByRole("row").filter({ hasText: "Laila Ali" })).toContainText("Active");
});

test("mark a lecture's attendance; the instructor's register shows it live", async ({ browser }) => {
  await admin.getByRole("link", { name: "Attendance", exact: true }).click();
  await admin.getByRole("combobox", { name: "Course" }).click();
  await admin.getByRole("option", { name: "Robotics for kids" }).click();
  await admin.getByRole("link", { name: "Take attendance" }).first().click();
  await expect(admin.getByTestId("register-row")).toHaveCount(2);
  const register = admin.url();

  const instructor = await newPage(browser, "en");
  await signIn(instructor, DEMO.instructor);
  await expect(instructor.getByRole("heading", { level: 1, name: /^Today/ })).toBeVisible();
  // An instructor's menu has no money, people or audit.
  const nav = instructor.getByRole("navigation", { name: "Main navigation" });
  await expect(nav.getByRole("link", { name: "Attendance" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Money" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "People" })).toHaveCount(0);
  await instructor.goto(register);
  await expect(instructor.getByTestId("register-row")).toHaveCount(2);
  await expect(instructor.getByTestId("mark-state").first()).toHaveText("Not marked");

  // Two taps on the tablet: everyone present, then Laila absent; one to save.
  await admin.getByRole("button", { name: "Everyone present" }).click();
  await admin.getByRole("button", { name: "Absent: Laila Ali" }).click();
  await admin.getByRole("button", { name: /^Save 2 marks/ }).click();
  await expect(admin.getByRole("status")).toHaveText("Saved.");

  // The instructor's page was not reloaded: the marks came over the WebSocket.
  await expect(instructor.getByTestId("register-row").filter({ hasText: "Omar Ali" }).getByTestId("mark-state")).toHaveText(
    "Marked present",
  );
  await expect(instructor.getByTestId("register-row").filter({ hasText: "Laila Ali" }).getByTestId("mark-state")).toHaveText(
    "Marked absent",
  );
  await expect(instructor.getByRole("button", { name: "Present: Omar Ali" })).toHaveAttribute("aria-pressed", "true");
  await expectAccessible(instructor, "register (instructor)");

  // Access changes (a role added): the server closes the instructor's socket with 4401;
  // the app refreshes its token, connects again, and the marks keep arriving.
  const sockets: string[] = [];
  instructor.on("websocket", (socket) => sockets.push(socket.url()));
  await admin.getByRole("link", { name: "People", exact: true }).click();
  await admin.getByRole("row").filter({ hasText: "Karim Mostafa" }).getByRole("button", { name: "Roles…" }).click();
  const dialog = admin.getByRole("dialog");
  await dialog.locator("input:not([type=hidden])").first().focus();
  await admin.keyboard.press("ArrowDown");
  await admin.getByRole("option", { name: "Staff", exact: true }).click();
  await admin.keyboard.press("Escape"); // closes the list, not the dialog
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toHaveCount(0);
  await expect.poll(() => sockets.length).toBeGreaterThan(0);
  await admin.goto(register);
  await admin.getByRole("button", { name: "Absent: Omar Ali" }).click();
  await admin.getByRole("button", { name: /^Save 1 marks/ }).click();
  await expect(instructor.getByTestId("register-row").filter({ hasText: "Omar Ali" }).getByTestId("mark-state")).toHaveText(
    "Marked absent",
  );
  await instructor.context().close();
});

test("record a cash payment, once, whatever the clicks", async () => {
  await admin.getByRole("link", { name: "Money", exact: true }).click();
  await admin.getByRole("tab", { name: "Record a cash payment" }).click();
  await admin.getByRole("combobox", { name: "Course" }).click();
  await admin.getByRole("option", { name: "Quran memorisation" }).click();
  await admin.getByRole("combobox", { name: "Enrolment" }).click();
  await admin.getByRole("option", { name: /Omar Ali/ }).click();
  await expect(admin.getByLabel("Amount")).toHaveValue("300.00");
  await admin.getByLabel("Receipt number").fill("R-1001");
  await admin.getByRole("button", { name: "Record payment" }).dblclick();
  await expect(admin.getByRole("status")).toContainText("recorded");
  await admin.getByRole("tab", { name: "Payments" }).click();
  const rows = admin.getByTestId("payment-row").filter({ hasText: "Omar Ali" });
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText("Paid");
});

test("approve a partial refund", async () => {
  const payment = admin.getByTestId("payment-row").filter({ hasText: "Omar Ali" });
  await payment.getByRole("button", { name: "Refund…" }).click();
  const dialog = admin.getByRole("dialog");
  await dialog.getByLabel("Amount").fill("100.00");
  await dialog.getByLabel("Reason").fill("Missed the first two weeks");
  await dialog.getByRole("button", { name: "Request the refund" }).click();
  await expect(dialog).toHaveCount(0);
  await admin.getByRole("tab", { name: "Refund requests" }).click();
  const request = admin.getByTestId("refund-row").filter({ hasText: "Omar Ali" });
  await expect(request).toContainText("Missed the first two weeks");
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(admin.getByText("No refund requests.")).toBeVisible();
  await admin.getByRole("tab", { name: "Payments" }).click();
  await expect(admin.getByTestId("payment-row").filter({ hasText: "Omar Ali" })).toContainText("Partly refunded");
});

test("create and publish an event", async () => {
  await admin.getByRole("link", { name: "Events", exact: true }).click();
  await admin.getByLabel("Title").fill("Parents' evening");
  await admin.getByLabel("Location").fill("Hall B");
  await admin.getByLabel("Starts at").fill("2030-03-10T18:00");
  await admin.getByLabel("Ends at").fill("2030-03-10T20:00");
  await admin.getByRole("button", { name: "Create as draft" }).click();
  await admin.getByRole("status").getByRole("link", { name: "Parents' evening" }).click();
  await expect(admin.getByRole("heading", { name: "Parents' evening" })).toBeVisible();
  // 18:00 in Cairo, whatever the browser's zone.
  await expect(admin.getByText(/10 Mar 2030, 18:00/)).toBeVisible();
  await admin.getByRole("button", { name: "Publish" }).click();
  await expect(admin.getByText("Published", { exact: true })).toBeVisible();
  await expect(admin.getByTestId("event-places")).toHaveText("0 of 20 places taken, 20 left");
});

test("the explorer runs GraphiQL from this server alone", async () => {
  const outside: string[] = [];
  await admin.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => {
    outside.push(route.request().url());
    return route.abort();
  });
  const problems: string[] = [];
  admin.on("console", (message) => message.type() === "error" && problems.push(message.text()));
  await admin.getByRole("link", { name: "API explorer" }).click();
  await expect(admin.locator(".graphiql-container")).toBeVisible({ timeout: 30_000 });
  await expect(admin.getByText("membership").first()).toBeVisible();
  await admin.unroute(/^(?!http:\/\/127\.0\.0\.1)/);
  expect(outside.filter((url) => !url.startsWith("data:") && !url.startsWith("blob:"))).toEqual([]);
  expect(problems.filter((text) => /Content Security Policy|Refused to/.test(text))).toEqual([]);
});

test("my sessions: sign out the other devices", async ({ browser }) => {
  const other = await newPage(browser, "en");
  await signIn(other, DEMO.admin);
  await expect(other.getByRole("heading", { level: 1, name: /^Today/ })).toBeVisible();
  await admin.getByRole("link", { name: "My sessions" }).click();
  await admin.getByRole("button", { name: /^Sign out the other devices/ }).click();
  await expect(admin.getByRole("button", { name: "Sign out the other devices (0)" })).toBeVisible();
  // The other browser's next refresh fails: it is back at the sign-in form.
  await other.reload();
  await expect(other.getByRole("button", { name: "Sign in" })).toBeVisible();
  await other.context().close();
});

const SCREENS = [
  { name: "today", link: "Today", ready: "Today's lectures" },
  { name: "catalogue", link: "Catalogue", ready: "Robotics for kids" },
  { name: "enrolment", link: "Enrolment", ready: "Requests" },
  { name: "attendance", link: "Attendance", ready: "Pick a course" },
  { name: "money", link: "Money", ready: "Omar Ali" },
  { name: "people", link: "People", ready: "Amira Hassan" },
  { name: "events", link: "Events", ready: "Open day" },
  { name: "audit", link: "Audit & jobs", ready: "payment.refund" },
  { name: "sessions", link: "My sessions", ready: "This device" },
] as const;

test("every main screen: no serious accessibility violations, every control reachable by keyboard, screenshots in English and Arabic", async () => {
  test.setTimeout(180_000);
  for (const screen of SCREENS) {
    await admin.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: screen.link, exact: true }).click();
    await expect(admin.getByText(screen.ready).first()).toBeVisible();
    await expectAccessible(admin, screen.name);
    await expectKeyboardReachable(admin, screen.name);
    await screenshot(admin, `en-${screen.name}`);
  }
  // The whole app in Arabic: right to left, translated.
  await admin.getByRole("combobox", { name: "Language" }).click();
  await admin.getByRole("option", { name: "العربية" }).click();
  await expect(admin.locator("html")).toHaveAttribute("dir", "rtl");
  const arabic: Record<string, string> = {
    Today: "اليوم",
    Catalogue: "الدورات",
    Enrolment: "التسجيل",
    Attendance: "الحضور",
    Money: "المدفوعات",
    People: "الأشخاص",
    Events: "الفعاليات",
    "Audit & jobs": "السجل والمهام",
    "My sessions": "جلساتي",
  };
  for (const screen of SCREENS) {
    await admin.getByRole("navigation", { name: "التنقل الرئيسي" }).getByRole("link", { name: arabic[screen.link], exact: true }).click();
    await expect(admin.getByRole("heading", { level: 1 }).last()).toBeVisible();
    await expectAccessible(admin, `${screen.name} (ar)`);
    await screenshot(admin, `ar-${screen.name}`);
  }
  await expect(admin.getByRole("heading", { name: "جلساتي" })).toBeVisible();
});
