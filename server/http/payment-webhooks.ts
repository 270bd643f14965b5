/**
 * POST /webhooks/payments/:provider: payment gateways confirm payments here.
 * The body is kept raw (signatures are over the exact bytes), at most 64 kB.
 *
 * Answers: 200 once handled (processed, a duplicate delivery, or an event that
 * is ignored: it matches no payment, or reports another amount or currency than
 * the payment's; a gateway retrying those would never succeed), 401 for a bad or
 * stale signature, 400 for a malformed body (NUL bytes included), 404 for an
 * unknown provider, 413 for a body over the limit. A payment changes only on a
 * 200 "processed".
 */
import express, { Router, type NextFunction, type Request, type Response } from "express";
import type { AppDeps } from "../app-deps";
import { AppError, fromDatabaseError, httpStatusOf } from "../errors";
import { clientIp } from "./client-ip";
import { fromAcceptLanguage, translate, type Language } from "../i18n";
import { WebhookRejected } from "../payments/provider";
import { runWithRequestStore } from "../request-store";
import { receivePaymentWebhook } from "../services/payments";

export const WEBHOOK_BODY_LIMIT = 64 * 1024;

const languageOf = (req: Request): Language => fromAcceptLanguage(req.header("accept-language")) ?? "en";
const fail = (res: Response, status: number, code: string, message: string) =>
  void res.status(status).json({ errors: [{ message, extensions: { code } }] });

/** The webhook route, with its own raw body parser and error answers. */
export function paymentWebhookRoutes(app: AppDeps): Router {
  const router = Router();
  router.post(
    "/webhooks/payments/:provider",
    // Any content type: gateways differ, and the bytes are what is signed.
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    async (req: Request, res: Response) => {
      const provider = String(req.params.provider);
      const requestId = (req as Request & { id: string }).id;
      const language = languageOf(req);
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      // Set here, after the body parser: it resumes on stream callbacks, which lose the async context.
      await runWithRequestStore({ requestId, language, sqlStatements: 0 }, async () => {
        try {
          const outcome = await receivePaymentWebhook(app, provider, rawBody, req.headers, {
            requestId,
            ip: clientIp(req),
            userAgent: req.header("user-agent") ?? null,
            query: new URL(req.originalUrl, "http://webhook.invalid").searchParams,
          });
          app.log.info({ provider: provider, ...outcome }, "payment webhook");
          res.status(200).json(outcome);
        } catch (error) {
          if (error instanceof WebhookRejected) {
            app.log.warn({ provider: provider, reason: error.message, ip: clientIp(req) }, "payment webhook refused");
            return error.reason === "signature"
              ? fail(res, 401, "UNAUTHENTICATED", translate(language, "webhook.badSignature", { reason: error.message }))
              : fail(res, 400, "BAD_REQUEST", translate(language, "webhook.malformed", { reason: error.message }));
          }
          if (error instanceof AppError && error.code === "TENANT_SUSPENDED") {
            // Parked: the gateway retries later; the tenant's reactivation lets it through.
            app.log.warn({ provider: provider, tenant: error.extensions.tenant }, "payment webhook for a suspended tenant parked");
            res.setHeader("retry-after", "3600");
            return fail(res, 503, error.code, error.message);
          }
          if (error instanceof AppError) return fail(res, httpStatusOf(error.code), error.code, error.message);
          // A value the database refused (class 22: text it cannot store, a number out of range)
          // came from the body: malformed, and retrying it would never succeed.
          const refused = fromDatabaseError(error);
          if (refused?.code === "BAD_USER_INPUT") {
            app.log.warn({ provider: provider, reason: refused.message, ip: clientIp(req) }, "payment webhook refused");
            return fail(res, 400, "BAD_REQUEST", translate(language, "webhook.malformed", { reason: refused.message }));
          }
          // A database hiccup: 500 makes the gateway retry later, which is what we want.
          app.log.error({ err: error, provider: provider }, "payment webhook failed");
          fail(res, 500, "INTERNAL_SERVER_ERROR", translate(language, "internal", { requestId }));
        }
      });
    },
  );
  // The raw parser's own errors (size), answered with this route's limit.
  router.use("/webhooks/payments", (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: string }).type === "entity.too.large") {
      return fail(res, 413, "PAYLOAD_TOO_LARGE", translate(languageOf(req), "webhook.tooLarge", { limit: WEBHOOK_BODY_LIMIT }));
    }
    next(error);
  });
  return router;
}
