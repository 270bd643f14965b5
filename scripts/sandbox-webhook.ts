/**
 * Plays the sandbox payment gateway in development: signs a payment event with
 * SANDBOX_WEBHOOK_SECRET (the dev default when unset) and posts it to
 * POST /webhooks/payments/sandbox, as the real gateway's confirmation would arrive.
 *
 *   npm run sandbox:webhook -- --reference sbx_… --amount 250.00 --currency EGP [--fail] [--url http://localhost:4000]
 *
 * `reference`, `amount` and `currency` are in the payment's `nextAction.event` (startPayment's answer).
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../server/config";
import { sandboxEvent, SANDBOX_SIGNATURE_HEADER, signSandboxWebhook } from "../server/payments/sandbox";

const { values } = parseArgs({
  options: {
    reference: { type: "string" },
    amount: { type: "string" },
    currency: { type: "string", default: "EGP" },
    fail: { type: "boolean", default: false },
    reason: { type: "string" },
    url: { type: "string" },
  },
});
if (!values.reference || !values.amount) {
  console.error(
    "usage: npm run sandbox:webhook -- --reference <providerReference> --amount <amount> [--currency EGP] [--fail] [--url <base url>]",
  );
  process.exit(2);
}
const config = loadConfig({ ...process.env, LOG_LEVEL: "silent" });
if (!config.payments.sandbox) {
  console.error("the sandbox provider is off (PAYMENTS_SANDBOX)");
  process.exit(2);
}
const body = JSON.stringify(
  sandboxEvent({
    reference: values.reference,
    amount: values.amount,
    currency: values.currency!,
    status: values.fail ? "FAILED" : "SUCCEEDED",
    reason: values.reason,
  }),
);
const url = `${values.url ?? `http://localhost:${config.port}`}/webhooks/payments/sandbox`;
const response = await fetch(url, {
  method: "POST",
  headers: {
    "content-type": "application/json",
    [SANDBOX_SIGNATURE_HEADER]: signSandboxWebhook(config.payments.sandbox.webhookSecret, body),
  },
  body,
});
console.log(response.status, await response.text());
process.exit(response.ok ? 0 : 1);
