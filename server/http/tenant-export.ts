/**
 * GET /tenants/:id/export — a tenant's data as JSON lines (application/x-ndjson),
 * streamed as it is read (server/services/tenant-export.ts): a header line, one
 * line per row, an end line with the counts. A download without the end line was
 * cut short. Authenticated with the same Bearer access token as GraphQL; the
 * platform's admins and that tenant's admins only.
 */
import { once } from "node:events";
import { Router, type Request, type Response } from "express";
import type { AppDeps } from "../app-deps";
import { readCredentials, withRequestContext } from "../context";
import { AppError, httpStatusOf } from "../errors";
import { fromAcceptLanguage, translate } from "../i18n";
import { consume } from "../rate-limits";
import { runWithRequestStore } from "../request-store";
import { authorizeExport, exportTenant } from "../services/tenant-export";
import { clientIp } from "./client-ip";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function tenantExportRoutes(app: AppDeps): Router {
  const router = Router();
  router.get("/tenants/:id/export", async (req: Request, res: Response) => {
    const requestId = (req as Request & { id: string }).id;
    const language = fromAcceptLanguage(req.header("accept-language")) ?? "en";
    const fail = (error: AppError) =>
      res.status(httpStatusOf(error.code)).json({ errors: [{ message: error.message, extensions: { code: error.code } }] });
    await runWithRequestStore({ requestId, language, sqlStatements: 0 }, async () => {
      let started = false;
      try {
        await consume(app.rateLimits.apiPerIp, clientIp(req));
        const tenantId = String(req.params.id);
        if (!UUID.test(tenantId)) throw new AppError("BAD_USER_INPUT", "input.invalid", { field: "id", reason: "not a UUID" });
        const credentials = await readCredentials(app, req.header("authorization"));
        const input = { requestId, credentials, ip: clientIp(req), userAgent: req.header("user-agent") ?? null };
        await withRequestContext(app, input, async (ctx) => {
          const tenant = await authorizeExport(ctx, tenantId);
          res.status(200);
          res.setHeader("content-type", "application/x-ndjson; charset=utf-8");
          res.setHeader("content-disposition", `attachment; filename="${tenant.slug}-export.jsonl"`);
          res.setHeader("cache-control", "no-store");
          started = true;
          const closed = once(res, "close");
          for await (const line of exportTenant(ctx, tenant)) {
            // Backpressure: the next batch is read only once the client has taken this one.
            if (!res.write(`${JSON.stringify(line)}\n`)) await Promise.race([once(res, "drain"), closed]);
            if (res.destroyed) return;
          }
        });
        res.end();
      } catch (error) {
        if (started) {
          // Mid-stream: the client sees the missing end line; nothing more can be said.
          app.log.error({ err: error }, "tenant export failed");
          res.destroy();
          return;
        }
        if (error instanceof AppError) return void fail(error);
        app.log.error({ err: error }, "tenant export failed");
        res
          .status(500)
          .json({ errors: [{ message: translate(language, "internal", { requestId }), extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
      }
    });
  });
  return router;
}
