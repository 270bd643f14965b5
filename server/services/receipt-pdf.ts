/**
 * A receipt as a PDF (pdfkit) in the family's language. Arabic is laid out right to left and
 * shaped by fontkit (pdfkit's font engine applies the OpenType Arabic joining forms and returns
 * right-to-left runs in visual order); each line is split into runs of Arabic and of other
 * script, each drawn in a font that covers it — Amiri's Arabic and Latin subsets from
 * @fontsource/amiri (SIL Open Font License, an npm package, so no font file lives in the
 * repository) — and in an Arabic line the runs are placed right to left. Amiri rather than Noto
 * Sans Arabic: Noto builds letters from dotless skeletons plus separate dot glyphs, which have no
 * Unicode mapping, so the PDF's text (copy, search, screen readers) came out garbled; Amiri's
 * contextual forms map back to their letters.
 */
import { createRequire } from "node:module";
import type { Language } from "../i18n";

const require = createRequire(import.meta.url);
const FONTS = {
  arabic: require.resolve("@fontsource/amiri/files/amiri-arabic-400-normal.woff"),
  latin: require.resolve("@fontsource/amiri/files/amiri-latin-400-normal.woff"),
};

const ARABIC = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/;

/** Splits text into runs of Arabic script and of anything else (spaces join the run before them). */
export function scriptRuns(text: string): { text: string; arabic: boolean }[] {
  const runs: { text: string; arabic: boolean }[] = [];
  for (const char of text) {
    const arabic = /\s/.test(char) && runs.length ? runs.at(-1)!.arabic : ARABIC.test(char);
    const last = runs.at(-1);
    if (last && last.arabic === arabic) last.text += char;
    else runs.push({ text: char, arabic });
  }
  return runs;
}

export interface ReceiptContent {
  language: Language;
  title: string;
  /** Label and value rows, in reading order. */
  rows: [string, string][];
  footer: string;
}

/** Renders the receipt; resolves with the PDF bytes. */
export async function renderReceiptPdf(content: ReceiptContent): Promise<Buffer> {
  // Loaded on first use: pdfkit and its fonts cost ~15 MiB an instance need not hold idle.
  const { default: PDFDocument } = await import("pdfkit");
  const rtl = content.language === "ar";
  const doc = new PDFDocument({ size: "A5", margin: 40, info: { Title: content.title } });
  doc.registerFont("arabic", FONTS.arabic);
  doc.registerFont("latin", FONTS.latin);
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  const left = doc.page.margins.left;
  const right = doc.page.width - doc.page.margins.right;

  /** Draws one line of text in [x0, x1], aligned to the reading direction's start or end. */
  const line = (text: string, y: number, x0: number, x1: number, align: "start" | "end", size: number) => {
    doc.fontSize(size);
    const runs = scriptRuns(text.trim());
    // In a right-to-left line the runs read from the right: draw them in reverse from the left.
    const ordered = rtl ? [...runs].reverse() : runs;
    const widths = ordered.map((run) => doc.font(run.arabic ? "arabic" : "latin").widthOfString(run.text));
    const total = widths.reduce((a, b) => a + b, 0);
    const toRight = rtl ? align === "start" : align === "end";
    let x = toRight ? x1 - total : x0;
    ordered.forEach((run, index) => {
      doc.font(run.arabic ? "arabic" : "latin").text(run.text, x, y, { lineBreak: false });
      x += widths[index]!;
    });
  };

  let y = doc.page.margins.top;
  line(content.title, y, left, right, "start", 20);
  y += 40;
  const middle = (left + right) / 2;
  for (const [label, value] of content.rows) {
    // Labels on the reading side, values on the other.
    if (rtl) {
      line(label, y, middle, right, "start", 11);
      line(value, y, left, middle - 10, "end", 11);
    } else {
      line(label, y, left, middle, "start", 11);
      line(value, y, middle + 10, right, "end", 11);
    }
    y += 24;
  }
  line(content.footer, y + 16, left, right, "start", 9);
  doc.end();
  return done;
}
