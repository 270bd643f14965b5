/** Structured JSON logs (pino); every line of a request carries its request id. */
import { pino } from "pino";
import type { Config } from "./config";
import { currentRequest } from "./request-store";

export function createLog(config: Pick<Config, "logLevel" | "instanceId">) {
  return pino({
    level: config.logLevel,
    base: { instance: config.instanceId },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ["password", "*.password", "token", "*.token", "refreshToken", "*.refreshToken"], remove: true },
    mixin: () => {
      const store = currentRequest();
      return store ? { requestId: store.requestId } : {};
    },
  });
}

export type Log = ReturnType<typeof createLog>;
