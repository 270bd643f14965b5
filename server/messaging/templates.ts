/**
 * Email bodies from one template, in the recipient's language: HTML (Arabic right to left,
 * `dir="rtl"`) and plain text. The subject and text come translated already (DeliveryRequest);
 * the template adds the frame and the footer.
 */
import type { Language } from "../../drizzle/tables/enums-types";

const FOOTER: Record<Language, string> = {
  ar: "وصلتك هذه الرسالة لأن لديك حسابًا في روستر. لا ترد على هذا البريد.",
  en: "You receive this message because you have a Roster account. Please do not reply to this email.",
  fr: "Vous recevez ce message parce que vous avez un compte Roster. Merci de ne pas répondre à cet e-mail.",
};

const CODE_LABEL: Record<Language, string> = { ar: "الرمز", en: "Code", fr: "Code" };

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** The email for one delivery: `params.code`, when present, is shown large. */
export function renderEmail(message: { language: Language; subject: string; text: string; params: Record<string, string> }): RenderedEmail {
  const { language, subject, text, params } = message;
  const dir = language === "ar" ? "rtl" : "ltr";
  const align = dir === "rtl" ? "right" : "left";
  const paragraphs = text
    .split(/\n{2,}/)
    .map((part) => `<p style="margin:0 0 16px">${escapeHtml(part).replace(/\n/g, "<br>")}</p>`)
    .join("\n      ");
  const code = params.code
    ? `<p style="margin:0 0 16px;font-size:28px;letter-spacing:6px;font-weight:bold" aria-label="${CODE_LABEL[language]}"><bdi>${escapeHtml(params.code)}</bdi></p>`
    : "";
  const html = `<!doctype html>
<html lang="${language}" dir="${dir}">
  <head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>
  <body style="margin:0;padding:24px;background:#f5f5f5;font-family:Arial,Tahoma,sans-serif">
    <div dir="${dir}" style="max-width:560px;margin:0 auto;padding:24px;background:#fff;text-align:${align};color:#222;line-height:1.5">
      <h1 style="margin:0 0 16px;font-size:20px">${escapeHtml(subject)}</h1>
      ${paragraphs}
      ${code}
      <hr style="border:0;border-top:1px solid #ddd;margin:24px 0 12px">
      <p style="margin:0;font-size:12px;color:#777">${FOOTER[language]}</p>
    </div>
  </body>
</html>
`;
  return { subject, text: `${text}\n\n-- \n${FOOTER[language]}\n`, html };
}
