/**
 * `GET /exports/<kind>.<format>`: staff exports as CSV or XLSX, streamed.
 *
 *   kind    attendance (courseId= or seasonId=), enrollments, payments, refunds
 *           (optional courseId=, seasonId= for enrollments, from= / to= local dates for money)
 *   format  csv  (UTF-8 with a BOM for Excel, RFC 4180: CRLF, quotes doubled; a text cell
 *                 starting with = + - @ (or a tab or CR) gets a leading ' so spreadsheets never
 *                 run it as a formula)
 *           xlsx (exceljs' streaming WorkbookWriter: text cells are text, never formulas)
 *
 * Authenticated like GraphQL (`Authorization: Bearer <access token>`, X-Tenant
 * optional), rate limited per address and per user like GraphQL requests. Who may
 * export what is the service's (server/services/exports.ts): staff; a course's
 * instructor its attendance. Every refusal is decided before the first byte and
 * answered as typed JSON errors; the rows are read in keyset batches inside the
 * request's transaction and written batch by batch, waiting for the client to
 * take each one (no whole file in memory).
 */
import { once } from "node:events";
import type { Request, Response } from "express";
import { Router } from "express";
import type ExcelJS from "exceljs";
import type { AppDeps } from "../app-deps";
import { readCredentials, withRequestContext, type RequestInput } from "../context";
import { AppError, badInput, notFound } from "../errors";
import { consume } from "../rate-limits";
import { currentRequest } from "../request-store";
import { type Cell, type ExportColumn, type ExportParams, type ExportPlan, planExport } from "../services/exports";
import { localDate } from "../time";
import { clientIp } from "./client-ip";

const FILE = /^([a-z]+)\.(csv|xlsx)$/;
const PARAMS = ["courseId", "seasonId", "from", "to"] as const;

export function exportRoutes(app: AppDeps): Router {
  const router = Router();
  router.get("/exports/:file", async (req, res, next) => {
    try {
      const match = FILE.exec(req.params.file ?? "");
      if (!match) throw notFound("export", req.params.file ?? "");
      const [, kind, format] = match as unknown as [string, string, "csv" | "xlsx"];
      await consume(app.rateLimits.apiPerIp, clientIp(req));
      const input = await restInput(app, req);
      const params = queryParams(req);
      await withRequestContext(app, input, async (ctx) => {
        const plan = await planExport(ctx, kind, params);
        const day = localDate(new Date(), ctx.tenant!.timeZone);
        res.status(200);
        res.set({
          "content-type": format === "csv" ? "text/csv; charset=utf-8; header=present" : XLSX_TYPE,
          "content-disposition": `attachment; filename="${plan.kind}-${day}.${format}"`,
          "cache-control": "private, no-store",
        });
        if (format === "csv") await writeCsv(plan, res);
        else await writeXlsx(plan, res);
      });
    } catch (error) {
      if (!res.headersSent) {
        if (error instanceof AppError && error.code === "UNAUTHENTICATED") res.setHeader("www-authenticate", 'Bearer realm="exports"');
        return next(error);
      }
      // Mid-stream: the status is sent; cutting the connection is the only way to say the file is incomplete.
      app.log.error({ err: error, path: req.path }, "export failed while streaming");
      res.destroy(error as Error);
    }
  });
  return router;
}

/** What a REST request knows, as GraphQL's transport reads it: the bearer token, X-Tenant, the address. */
async function restInput(app: AppDeps, req: Request): Promise<RequestInput> {
  const credentials = await readCredentials(app, req.header("authorization"));
  if (credentials.kind === "invalid") throw new AppError("UNAUTHENTICATED", credentials.messageKey);
  if (credentials.kind === "bearer") await consume(app.rateLimits.apiPerUser, credentials.claims.userId);
  return {
    requestId: currentRequest()?.requestId ?? String((req as Request & { id?: string }).id ?? ""),
    credentials,
    tenantSlug: req.header("x-tenant")?.trim() || undefined,
    ip: clientIp(req),
    userAgent: req.header("user-agent") ?? null,
    acceptLanguage: req.header("accept-language"),
  };
}

function queryParams(req: Request): ExportParams {
  const params: ExportParams = {};
  for (const name of PARAMS) {
    const value = req.query[name];
    if (value === undefined) continue;
    if (typeof value !== "string") throw badInput(name, "give it once");
    params[name] = value;
  }
  return params;
}

/** How long a client may take nothing before the export gives up (its transaction holds a connection). */
const STALL_MS = 30_000;

/** Waits until the client has taken what was written; a client gone or stalled ends the export. */
async function drained(res: Response): Promise<void> {
  if (res.writableNeedDrain) {
    const stop = new AbortController();
    const stalled = new Promise<"stalled">((resolve) => {
      const timer = setTimeout(() => resolve("stalled"), STALL_MS);
      stop.signal.addEventListener("abort", () => clearTimeout(timer));
    });
    const outcome = await Promise.race([
      once(res, "drain", { signal: stop.signal }).catch(() => undefined),
      once(res, "close", { signal: stop.signal }).catch(() => undefined),
      stalled,
    ]);
    stop.abort();
    if (outcome === "stalled") throw new Error(`export client took nothing for ${STALL_MS / 1000} s`);
  }
  if (res.destroyed) throw new Error("client went away during an export");
}

// ---------------------------------------------------------------- CSV

/** A text cell that a spreadsheet would read as a formula gets a leading apostrophe (OWASP CSV injection). */
export const guardFormula = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

function csvField(value: Cell, column: ExportColumn): string {
  if (value === null) return "";
  let text: string;
  if (typeof value === "boolean") text = value ? "yes" : "no";
  else text = String(value);
  if (column.kind === "text") text = guardFormula(text);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function writeCsv(plan: ExportPlan, res: Response) {
  const line = (cells: string[]) => `${cells.join(",")}\r\n`;
  res.write(`\uFEFF${line(plan.columns.map((column) => csvField(column.header, { header: "", kind: "text" })))}`);
  for await (const batch of plan.batches()) {
    res.write(batch.map((row) => line(row.map((cell, i) => csvField(cell, plan.columns[i]!)))).join(""));
    await drained(res);
  }
  res.end();
}

// ---------------------------------------------------------------- XLSX

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Local "YYYY-MM-DD[ HH:MM:SS]" as the Date Excel shows as that wall time (Excel dates have no zone). */
const wallClock = (local: string) => new Date(`${local.replace(" ", "T")}${local.length > 10 ? "" : "T00:00:00"}Z`);

function xlsxCell(value: Cell, column: ExportColumn): ExcelJS.CellValue {
  if (value === null) return null;
  switch (column.kind) {
    case "number":
    case "amount":
      return Number(value);
    case "date":
    case "datetime":
      return wallClock(String(value));
    default:
      return value;
  }
}

const FORMATS: Partial<Record<ExportColumn["kind"], string>> = {
  amount: "0.00",
  date: "yyyy-mm-dd",
  datetime: "yyyy-mm-dd hh:mm:ss",
};

async function writeXlsx(plan: ExportPlan, res: Response) {
  // Loaded on first use (~20 MiB an instance need not hold idle).
  const { default: Excel } = await import("exceljs");
  const workbook = new Excel.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(plan.title, { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = plan.columns.map((column) => ({
    header: column.header,
    width: column.kind === "datetime" ? 20 : column.kind === "text" ? 24 : 12,
    style: FORMATS[column.kind] ? { numFmt: FORMATS[column.kind] } : {},
  }));
  for await (const batch of plan.batches()) {
    for (const row of batch) sheet.addRow(row.map((cell, i) => xlsxCell(cell, plan.columns[i]!))).commit();
    await drained(res);
  }
  sheet.commit();
  await workbook.commit();
}
