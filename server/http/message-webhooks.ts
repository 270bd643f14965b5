/**
 * Message providers report delivery status here (like payment webhooks: raw body, signature over
 * the exact bytes, at most 64 kB):
 *
 * - POST /webhooks/messages/twilio: Twilio's status callback (TWILIO_STATUS_CALLBACK_URL).
 * - POST /webhooks/messages/whatsapp: WhatsApp Cloud API statuses; GET answers Meta's subscription
 *   check (hub.mode=subscribe, hub.verify_token = WHATSAPP_VERIFY_TOKEN → hub.challenge).
 *
 * Answers: 200 once handled (applied, or ignored: unknown message, a replay, a status that changes
 * nothing — retrying those would never succeed), 401 for a bad signature or a provider not
 * configured, 400 for a malformed body, 413 over the limit, 500 (the provider retries) otherwise.
 */
import express, { Router, type NextFunction, type Request, type Response } from "express";
import type { AppDeps } from "../app-deps";
import { StatusRejected } from "../messaging/status";
import { receiveMessageStatus } from "../services/messages";
import { clientIp } from "./client-ip";
import { WEBHOOK_BODY_LIMIT } from "./payment-webhooks";

const fail = (res: Response, status: number, code: string, message: string) =>
  void res.status(status).json({ errors: [{ message, extensions: { code } }] });

export function messageWebhookRoutes(app: AppDeps): Router {
  const router = Router();
  router.get("/webhooks/messages/whatsapp", (req: Request, res: Response) => {
    const token = app.config.messaging.whatsappVerifyToken;
    const query = req.query as Record<string, string | undefined>;
    if (token && query["hub.mode"] === "subscribe" && query["hub.verify_token"] === token && typeof query["hub.challenge"] === "string") {
      return void res.status(200).type("text/plain").send(query["hub.challenge"]);
    }
    fail(res, 403, "FORBIDDEN", "hub.verify_token does not match");
  });
  router.post(
    "/webhooks/messages/:provider",
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    async (req: Request, res: Response) => {
      const provider = String(req.params.provider);
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        const outcome = await receiveMessageStatus(app, provider, rawBody, req.headers);
        app.log.info({ provider, ...outcome }, "message status webhook");
        res.status(200).json(outcome);
      } catch (error) {
        if (error instanceof StatusRejected) {
          app.log.warn({ provider, reason: error.message, ip: clientIp(req) }, "message status webhook refused");
          return error.reason === "signature"
            ? fail(res, 401, "UNAUTHENTICATED", `The webhook signature is invalid: ${error.message}.`)
            : fail(res, 400, "BAD_REQUEST", `The webhook body is malformed: ${error.message}.`);
        }
        app.log.error({ err: error, provider }, "message status webhook failed");
        fail(res, 500, "INTERNAL_SERVER_ERROR", "The status could not be recorded; try again.");
      }
    },
  );
  router.use("/webhooks/messages", (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: string }).type === "entity.too.large")
      return fail(res, 413, "PAYLOAD_TOO_LARGE", `The webhook body is larger than ${WEBHOOK_BODY_LIMIT} bytes.`);
    next(error);
  });
  return router;
}
