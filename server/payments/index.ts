/** The payment providers of an instance, built once from configuration. */
import type { Config } from "../config";
import type { Log } from "../log";
import { clickpesaProvider } from "./clickpesa";
import { manualProvider } from "./manual";
import { paymobProvider } from "./paymob";
import { polarProvider } from "./polar";
import type { PaymentProvider } from "./provider";
import { sandboxProvider } from "./sandbox";
import { selcomProvider } from "./selcom";

export interface PaymentProviders {
  /** The provider called `name`, if it is enabled. */
  get(name: string): PaymentProvider | undefined;
  /** Names of the enabled providers families may start payments with. */
  onlineNames(): string[];
}

export function createPaymentProviders(config: Config["payments"], log: Log): PaymentProviders {
  const providers = new Map<string, PaymentProvider>([["manual", manualProvider]]);
  if (config.sandbox) {
    providers.set("sandbox", sandboxProvider({ webhookSecret: config.sandbox.webhookSecret, toleranceMs: config.webhookToleranceMs }));
  }
  if (config.clickpesa) providers.set("clickpesa", clickpesaProvider(config.clickpesa, log));
  if (config.selcom) providers.set("selcom", selcomProvider(config.selcom, log));
  if (config.polar) providers.set("polar", polarProvider(config.polar, log));
  if (config.paymob) providers.set("paymob", paymobProvider(config.paymob, log));
  return {
    get: (name) => providers.get(name),
    onlineNames: () => [...providers.values()].filter((provider) => provider.online).map((provider) => provider.name),
  };
}
