/**
 * `GET /receipts/:id.pdf`: a receipt as a PDF, for the payer's family and staff, with the same
 * bearer access token as GraphQL (the token names the tenant). Anyone else gets 404, as in the API.
 */
import { randomUUID } from "node:crypto";
import { Router } from "express";
import type { AppDeps } from "../app-deps";
import { readCredentials, withRequestContext } from "../context";
import { AppError, httpStatusOf } from "../errors";
import { receiptPdf } from "../services/receipts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function receiptRoutes(app: AppDeps): Router {
  const router = Router();
  router.get("/receipts/:id.pdf", async (req, res, next) => {
    try {
      const id = req.params.id ?? "";
      if (!UUID.test(id)) throw new AppError("NOT_FOUND", "notFound", { entity: "Receipt", id });
      const credentials = await readCredentials(app, req.header("authorization"));
      const { receipt, pdf } = await withRequestContext(
        app,
        {
          requestId: randomUUID(),
          credentials,
          tenantSlug: req.header("x-tenant") ?? undefined,
          ip: req.ip ?? "",
          userAgent: req.header("user-agent") ?? null,
          acceptLanguage: req.header("accept-language") ?? undefined,
        },
        (ctx) => receiptPdf(ctx, id),
      );
      res.set("cache-control", "private, no-store");
      res.set("content-disposition", `inline; filename="receipt-${receipt.number}.pdf"`);
      res.type("application/pdf").send(pdf);
    } catch (error) {
      if (error instanceof AppError) {
        const code = String(error.extensions.code);
        return void res.status(httpStatusOf(code)).json({ errors: [{ message: error.message, extensions: { code } }] });
      }
      next(error);
    }
  });
  return router;
}
