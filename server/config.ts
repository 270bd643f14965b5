/**
 * Configuration: every environment variable Roster reads, parsed and validated
 * once at start. A wrong value stops start-up with a message naming the variable.
 * The README's configuration table lists the same variables.
 */
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

const DURATION = /^(\d+)\s*(ms|s|m|h|d)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Reads one variable with a parser; the parser throws a message, this adds the name. */
function read<T>(env: Env, name: string, fallback: T, parse: (raw: string) => T): T {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  try {
    return parse(raw.trim());
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message} (got "${raw}")`);
  }
}

const int = (min: number, max: number) => (raw: string) => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`must be an integer from ${min} to ${max}`);
  }
  return value;
};

/**
 * How far V8 lets the heap grow past what survived the last full collection, in
 * percent (V8's --heap-growing-percent; 0: V8's own choice, up to 4× under load).
 * Applied by server/heap-settings.ts before the rest of the server loads.
 */
export const heapGrowingPercent = (env: Env) => read(env, "HEAP_GROWING_PERCENT", 50, int(0, 400));

/** A share from 0 to 1 ("0.25"). */
const fraction = (raw: string) => {
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !(value >= 0 && value <= 1)) throw new Error("must be a number from 0 to 1");
  return value;
};

const bool = (raw: string) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error("must be true or false");
};

const oneOf =
  <T extends string>(...values: T[]) =>
  (raw: string): T => {
    if (!values.includes(raw as T)) throw new Error(`must be one of ${values.join(", ")}`);
    return raw as T;
  };

/** "15m", "14d", "30s", "500ms" or a number of seconds → milliseconds. */
export const duration = (raw: string) => {
  const match = DURATION.exec(raw);
  if (!match) throw new Error('must be a duration such as "30s", "15m", "14d"');
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? "s") as keyof typeof UNIT_MS];
  if (ms <= 0) throw new Error("must be longer than zero");
  return ms;
};

const url =
  (...protocols: string[]) =>
  (raw: string) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new Error("must be a URL");
    }
    if (!protocols.includes(parsed.protocol)) throw new Error(`must be a ${protocols.join(" or ")} URL`);
    return raw;
  };

/** A Redis key namespace: "roster", "siteb:staging"; a trailing colon is dropped (Roster adds its own). */
const keyPrefix = (raw: string) => {
  const value = raw.replace(/:+$/, "");
  if (value.length > 64 || !/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*$/.test(value)) {
    throw new Error('must be 1 to 64 letters, digits, "_", "." or "-", in parts separated by ":" (e.g. "roster:site-b")');
  }
  return value;
};

const list = (raw: string) =>
  raw
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

/** Reads and validates the whole configuration from an environment (process.env by default). */
export function loadConfig(env: Env = process.env) {
  const nodeEnv = read(env, "NODE_ENV", "development", oneOf("development", "production", "test"));
  const databaseUrl = read(env, "DATABASE_URL", undefined as string | undefined, url("postgres:", "postgresql:"));
  const embedded = databaseUrl === undefined;
  const dataDir = path.resolve(read(env, "ROSTER_DATA_DIR", ".data", String));

  const config = {
    nodeEnv,
    /** Listening port; 0 picks a free one. */
    port: read(env, "PORT", 4000, int(0, 65535)),
    /** Listening address; unset listens on every interface, like Node's default. */
    host: read(env, "HOST", undefined as string | undefined, String),
    instanceId: read(env, "INSTANCE_ID", `${os.hostname()}-${process.pid}`, String),
    dataDir,
    database: {
      url: databaseUrl,
      /** Embedded PGlite: kept in ROSTER_DATA_DIR/pglite, or in memory with ROSTER_DB=memory. */
      embedded: embedded ? read(env, "ROSTER_DB", "file" as "file" | "memory", oneOf("file", "memory")) : undefined,
      /** A dump of a migrated embedded database to start `ROSTER_DB=memory` from (the test suite's speed-up). */
      snapshot: read(env, "ROSTER_DB_SNAPSHOT", undefined as string | undefined, String),
      poolSize: read(env, "DATABASE_POOL_SIZE", 10, int(1, 500)),
      /** Turn off behind PgBouncer older than 1.21 in transaction mode. */
      preparedStatements: read(env, "DATABASE_PREPARED_STATEMENTS", true, bool),
      migrateOnStart: read(env, "MIGRATE_ON_START", true, bool),
      /** Development only by default: the demo accounts share a public password (production refuses them, see allowDemoLogins). */
      seedDemo: read(env, "SEED_DEMO", embedded && nodeEnv === "development", bool),
      slowQueryMs: read(env, "SLOW_QUERY_MS", 200, int(1, 600_000)),
    },
    redisUrl: read(env, "REDIS_URL", undefined as string | undefined, url("redis:", "rediss:")),
    /**
     * Namespace of every Redis key and pub/sub channel. Unset: derived from the
     * database's identity (server/db/identity.ts), so deployments on different
     * databases never share a key, and instances of one deployment always do.
     */
    redisPrefix: read(env, "REDIS_PREFIX", undefined as string | undefined, keyPrefix),
    heapGrowingPercent: heapGrowingPercent(env),
    /** On SIGTERM/SIGINT: how long running requests, WebSocket close handshakes and a running job get. */
    shutdownGraceMs: read(env, "SHUTDOWN_GRACE", 2000, (raw) => {
      const ms = duration(raw);
      if (ms > 60_000) throw new Error("must be at most 60s");
      return ms;
    }),
    auth: {
      /** PEM (PKCS#8) or JWK private key; generated into ROSTER_DATA_DIR when unset outside production. */
      privateKey: read(env, "JWT_PRIVATE_KEY", undefined as string | undefined, String),
      algorithm: read(env, "JWT_ALGORITHM", "EdDSA" as "EdDSA" | "RS256" | "ES256", oneOf("EdDSA", "RS256", "ES256")),
      issuer: read(env, "JWT_ISSUER", "roster", String),
      audience: read(env, "JWT_AUDIENCE", "roster-api", String),
      accessTokenTtlMs: read(env, "ACCESS_TOKEN_TTL", 15 * 60_000, duration),
      refreshTokenTtlMs: read(env, "REFRESH_TOKEN_TTL", 14 * 86_400_000, duration),
      argon2: {
        memoryCost: read(env, "ARGON2_MEMORY_KIB", 65536, int(1024, 4_194_304)),
        timeCost: read(env, "ARGON2_TIME_COST", 3, int(1, 100)),
        parallelism: read(env, "ARGON2_PARALLELISM", 1, int(1, 16)),
      },
      phoneVerification: read(env, "ENABLE_PHONE_NUMBER_VERIFICATION", false, bool),
      emailVerification: read(env, "ENABLE_EMAIL_VERIFICATION", false, bool),
      verificationCodeTtlMs: read(env, "VERIFICATION_CODE_TTL", 10 * 60_000, duration),
      /** How long after deleteMyAccount the account is erased; cancelAccountDeletion works until then. */
      accountDeletionGraceMs: read(env, "ACCOUNT_DELETION_GRACE", 14 * 86_400_000, duration),
      /**
       * NODE_ENV=production refuses to start while a demo account (server/seed/demo.ts) still
       * signs in with the public demo password; true lets it start anyway (a demo deployment).
       */
      allowDemoLogins: read(env, "ALLOW_DEMO_LOGINS", false, bool),
    },
    limits: {
      bodyBytes: read(env, "BODY_LIMIT_BYTES", 100_000, int(1024, 50_000_000)),
      apiPerMinutePerIp: read(env, "RATE_LIMIT_IP_PER_MINUTE", 600, int(1, 1_000_000)),
      apiPerMinutePerUser: read(env, "RATE_LIMIT_USER_PER_MINUTE", 300, int(1, 1_000_000)),
      /** Failed sign-ins per account (its phone and email count together), and other per-login checks. */
      loginPer15Min: read(env, "RATE_LIMIT_LOGIN_PER_15_MIN", 10, int(1, 100_000)),
      /** Failed sign-ins per client address, whatever the account. */
      loginPerIpPer15Min: read(env, "RATE_LIMIT_LOGIN_PER_IP_PER_15_MIN", 50, int(1, 1_000_000)),
      /** The counters' namespace inside REDIS_PREFIX (instances that share both share limits). */
      keyPrefix: read(env, "RATE_LIMIT_KEY_PREFIX", "rl", keyPrefix),
      messagesPerHour: read(env, "RATE_LIMIT_MESSAGES_PER_HOUR", 5, int(1, 100_000)),
      /** Password-reset requests per phone number or email (known or not), per hour. */
      passwordResetPerHour: read(env, "RATE_LIMIT_PASSWORD_RESET_PER_HOUR", 5, int(1, 100_000)),
      /** Password-reset requests and code checks per client address, per hour, whatever the account. */
      passwordResetPerIpPerHour: read(env, "RATE_LIMIT_PASSWORD_RESET_PER_IP_PER_HOUR", 30, int(1, 1_000_000)),
      queryMaxDepth: read(env, "QUERY_MAX_DEPTH", 12, int(2, 100)),
      /** Most objects an answer may hold (lists multiplied through, see server/graphql/cost.ts). */
      queryMaxCost: read(env, "QUERY_MAX_COST", 50_000, int(10, 10_000_000)),
      /** Execution budget of one request: wall time, and size of the answer's data. */
      executionMs: read(env, "QUERY_TIMEOUT", 10_000, duration),
      responseBytes: read(env, "RESPONSE_MAX_BYTES", 5_000_000, int(10_000, 500_000_000)),
      queryMaxAliases: read(env, "QUERY_MAX_ALIASES", 20, int(1, 1000)),
      queryMaxTokens: read(env, "QUERY_MAX_TOKENS", 5000, int(100, 1_000_000)),
      wsConnectionsPerUser: read(env, "WS_MAX_CONNECTIONS_PER_USER", 10, int(1, 10_000)),
      wsConnectionsPerIp: read(env, "WS_MAX_CONNECTIONS_PER_IP", 50, int(1, 100_000)),
      wsSubscriptionsPerConnection: read(env, "WS_MAX_SUBSCRIPTIONS_PER_CONNECTION", 20, int(1, 10_000)),
      wsMessagesPerSecond: read(env, "WS_MESSAGES_PER_SECOND", 20, int(1, 100_000)),
      /** Bytes a subscriber's socket may have unsent before it is closed (1013) as too slow a reader. */
      wsSendBufferBytes: read(env, "WS_SEND_BUFFER_BYTES", 1_000_000, int(10_000, 1_000_000_000)),
    },
    http: {
      corsOrigins: read(env, "CORS_ORIGINS", [] as string[], list),
      trustProxy: read(env, "TRUST_PROXY", false, bool),
      /** The API's public origin, for links handed out to be opened elsewhere (calendar feed URLs); unset: paths only. */
      publicUrl: read(env, "PUBLIC_URL", undefined as string | undefined, url("https:", "http:"))?.replace(/\/+$/, ""),
    },
    admin: {
      /** The back office at /admin: the build in admin/dist (static), Vite with hot reload (dev, `npm run dev`), or off. */
      mode: read(env, "ADMIN_UI", "static" as "static" | "dev" | "off", oneOf("static", "dev", "off")),
      /** Where the built back office is (static mode). */
      dist: path.resolve(read(env, "ADMIN_DIST_DIR", fileURLToPath(new URL("../admin/dist", import.meta.url)), String)),
      /** Vite's hot-reload WebSocket port in dev mode. */
      hmrPort: read(env, "ADMIN_HMR_PORT", 24678, int(1, 65535)),
    },
    messaging: messagingConfig(env),
    logLevel: read(
      env,
      "LOG_LEVEL",
      nodeEnv === "test" ? "silent" : "info",
      oneOf("trace", "debug", "info", "warn", "error", "fatal", "silent"),
    ),
    graphql: {
      /** Schema introspection and the Apollo Sandbox page at GET /graphql: one switch, off by default in production. */
      introspection: read(env, "GRAPHQL_INTROSPECTION", nodeEnv !== "production", bool),
      /**
       * Trusted documents: `enforce` runs only the operations of server/graphql/trusted-documents.json
       * (our own clients' documents, by hash or text); `off` (default) runs any valid operation.
       */
      trustedDocuments: read(env, "TRUSTED_DOCUMENTS", "off" as "off" | "enforce", oneOf("off", "enforce")),
      /** With TRUSTED_DOCUMENTS=enforce: tenant staff and platform admins may still send any operation (GraphiQL, scripts). */
      trustedDocumentsAllowStaffAdhoc: read(env, "TRUSTED_DOCUMENTS_ALLOW_STAFF_ADHOC", false, bool),
    },
    metrics: {
      /** Bearer token GET /metrics requires (wherever it is served). */
      token: read(env, "METRICS_TOKEN", undefined as string | undefined, String),
      /** A separate listener for /metrics only (then not served on PORT); 0 picks a free port. */
      port: read(env, "METRICS_PORT", undefined as number | undefined, int(0, 65535)),
      /** Address of that listener; HOST when unset. */
      host: read(env, "METRICS_HOST", undefined as string | undefined, String),
    },
    /** Adds `extensions.diagnostics` (SQL statement count) to every GraphQL response. */
    exposeDiagnostics: read(env, "EXPOSE_DIAGNOSTICS", nodeEnv === "test", bool),
    geolocation: {
      /** Directory of the city database (`*ipv4.mmdb`, `*ipv6.mmdb`); unset: the packaged GeoLite2 City files. */
      databaseDir: read(env, "GEOIP_DATABASE_DIR", undefined as string | undefined, (raw) => path.resolve(raw)),
    },
    sentry: {
      /** Error tracking: unexpected errors go to this Sentry DSN; unset loads nothing. */
      dsn: read(env, "SENTRY_DSN", undefined as string | undefined, url("https:", "http:")),
      environment: read(env, "SENTRY_ENVIRONMENT", nodeEnv as string, String),
      /** Share of errors sent (0 to 1). */
      sampleRate: read(env, "SENTRY_SAMPLE_RATE", 1, fraction),
      /** Share of requests traced for performance (0 to 1); 0 sends no transactions. */
      tracesSampleRate: read(env, "SENTRY_TRACES_SAMPLE_RATE", 0, fraction),
    },
    jobs: {
      enabled: read(env, "JOBS_ENABLED", nodeEnv !== "test", bool),
    },
    payments: paymentsConfig(env, nodeEnv),
  };

  if (config.metrics.token !== undefined && config.metrics.token.length < 16) {
    throw new ConfigError("METRICS_TOKEN: must be at least 16 characters");
  }
  if (config.metrics.port !== undefined && config.metrics.port !== 0 && config.metrics.port === config.port) {
    throw new ConfigError("METRICS_PORT: must differ from PORT (unset it to serve /metrics on PORT)");
  }
  if (nodeEnv === "production" && !config.auth.privateKey) {
    throw new ConfigError("JWT_PRIVATE_KEY: required when NODE_ENV=production (a PEM or JWK private key)");
  }
  return config;
}

/** All or none of a provider's credentials: half a configuration is a mistake, not "disabled". */
function allOrNone<K extends string>(
  values: Record<K, string | undefined>,
  names: Record<K, string>,
  what: string,
): Record<K, string> | undefined {
  const keys = Object.keys(values) as K[];
  const given = keys.filter((key) => values[key] !== undefined);
  if (given.length === 0) return undefined;
  const missing = keys.filter((key) => values[key] === undefined);
  if (missing.length > 0)
    throw new ConfigError(`${missing.map((key) => names[key]).join(", ")}: required when any ${what} variable is set`);
  return values as Record<K, string>;
}

const email = (raw: string) => {
  // "Name <a@b>" or "a@b".
  const address = /<([^>]+)>\s*$/.exec(raw)?.[1] ?? raw;
  if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw new Error('must be an email address, e.g. "Roster <no-reply@example.org>"');
  return raw;
};

/**
 * Outgoing messages (server/messaging): one adapter per channel, each configured by its own
 * variables; a channel with none goes to MESSAGE_WEBHOOK_URL when set, else to the outbox (the log).
 */
function messagingConfig(env: Env) {
  const str = undefined as string | undefined;
  const smtpUrl = read(env, "SMTP_URL", str, url("smtp:", "smtps:"));
  const smtpFrom = read(env, "SMTP_FROM", str, email);
  if (smtpUrl && !smtpFrom) throw new ConfigError("SMTP_FROM: required when SMTP_URL is set");
  const beem = allOrNone(
    {
      apiKey: read(env, "BEEM_API_KEY", str, String),
      secretKey: read(env, "BEEM_SECRET_KEY", str, String),
      senderId: read(env, "BEEM_SENDER_ID", str, String),
    },
    { apiKey: "BEEM_API_KEY", secretKey: "BEEM_SECRET_KEY", senderId: "BEEM_SENDER_ID" },
    "BEEM_*",
  );
  const twilio = allOrNone(
    {
      accountSid: read(env, "TWILIO_ACCOUNT_SID", str, String),
      authToken: read(env, "TWILIO_AUTH_TOKEN", str, String),
      from: read(env, "TWILIO_FROM", str, String),
    },
    { accountSid: "TWILIO_ACCOUNT_SID", authToken: "TWILIO_AUTH_TOKEN", from: "TWILIO_FROM" },
    "TWILIO_*",
  );
  const whatsapp = allOrNone(
    { token: read(env, "WHATSAPP_TOKEN", str, String), phoneNumberId: read(env, "WHATSAPP_PHONE_NUMBER_ID", str, String) },
    { token: "WHATSAPP_TOKEN", phoneNumberId: "WHATSAPP_PHONE_NUMBER_ID" },
    "WHATSAPP_TOKEN/WHATSAPP_PHONE_NUMBER_ID",
  );
  const smsProvider = read(
    env,
    "SMS_PROVIDER",
    (beem ? "beem" : twilio ? "twilio" : undefined) as "beem" | "twilio" | undefined,
    oneOf("beem", "twilio"),
  );
  if (smsProvider === "beem" && !beem) throw new ConfigError("SMS_PROVIDER: beem needs BEEM_API_KEY, BEEM_SECRET_KEY and BEEM_SENDER_ID");
  if (smsProvider === "twilio" && !twilio)
    throw new ConfigError("SMS_PROVIDER: twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM");
  const appSecret = read(env, "WHATSAPP_APP_SECRET", str, String);
  const verifyToken = read(env, "WHATSAPP_VERIFY_TOKEN", str, String);
  // Read whether or not their provider is configured: a wrong value is a mistake either way.
  const baseUrl = (name: string, fallback: string) => read(env, name, fallback, url("https:", "http:")).replace(/\/+$/, "");
  const beemBaseUrl = baseUrl("BEEM_BASE_URL", "https://apisms.beem.africa");
  const twilioBaseUrl = baseUrl("TWILIO_BASE_URL", "https://api.twilio.com");
  const whatsappBaseUrl = baseUrl("WHATSAPP_BASE_URL", "https://graph.facebook.com/v21.0");
  const statusCallbackUrl = read(env, "TWILIO_STATUS_CALLBACK_URL", str, url("https:", "http:"));
  const retryBaseMs = read(env, "MESSAGE_RETRY_BASE", 30_000, duration);
  const retryMaxMs = read(env, "MESSAGE_RETRY_MAX", 60 * 60_000, duration);
  if (retryMaxMs < retryBaseMs) throw new ConfigError("MESSAGE_RETRY_MAX: must not be shorter than MESSAGE_RETRY_BASE");
  return {
    /** Generic gateway for every channel without an adapter of its own: unset keeps messages in the outbox (and the log). */
    webhookUrl: read(env, "MESSAGE_WEBHOOK_URL", str, url("http:", "https:")),
    webhookToken: read(env, "MESSAGE_WEBHOOK_TOKEN", str, String),
    smtp: smtpUrl ? { url: smtpUrl, from: smtpFrom! } : undefined,
    smsProvider,
    beem: beem && { ...beem, baseUrl: beemBaseUrl },
    twilio: twilio && {
      ...twilio,
      baseUrl: twilioBaseUrl,
      /** The public URL of POST /webhooks/messages/twilio as Twilio calls it (signatures cover it); unset: no status callbacks. */
      statusCallbackUrl,
    },
    whatsapp: whatsapp && {
      ...whatsapp,
      baseUrl: whatsappBaseUrl,
      codeTemplate: read(env, "WHATSAPP_CODE_TEMPLATE", "verification_code", String),
      alertTemplate: read(env, "WHATSAPP_ALERT_TEMPLATE", "roster_alert", String),
    },
    /** WhatsApp status webhooks: X-Hub-Signature-256 is checked with the app secret; the verify token answers Meta's GET check. */
    whatsappAppSecret: appSecret,
    whatsappVerifyToken: verifyToken,
    /** Attempts before a delivery is dead; the retry delay doubles from base up to max (±20% jitter). */
    maxAttempts: read(env, "MESSAGE_MAX_ATTEMPTS", 10, int(1, 100)),
    retryBaseMs,
    retryMaxMs,
    /** How often each instance looks for due deliveries (retries, other instances' rows). */
    pollMs: read(env, "MESSAGE_POLL_INTERVAL", 5000, duration),
    /** One send's time limit; a claim's lease is three of these. */
    sendTimeoutMs: read(env, "MESSAGE_SEND_TIMEOUT", 10_000, duration),
    /** Whether this instance sends deliveries (off: it only queues them, other instances send). */
    worker: read(env, "MESSAGE_WORKER", true, bool),
  };
}

/** Dev-only default of SANDBOX_WEBHOOK_SECRET: public on purpose, refused in production. */
export const DEV_SANDBOX_WEBHOOK_SECRET = "roster-dev-sandbox-webhook-secret";

/**
 * Payment providers: `manual` always; `sandbox` (a fake gateway) outside production
 * unless PAYMENTS_SANDBOX says otherwise; ClickPesa, Selcom, Polar and Paymob when their
 * credentials are set (all of a provider's or none).
 */
function paymentsConfig(env: Env, nodeEnv: string) {
  const sandboxEnabled = read(env, "PAYMENTS_SANDBOX", nodeEnv !== "production", bool);
  const sandboxSecret = read(env, "SANDBOX_WEBHOOK_SECRET", undefined as string | undefined, String);
  if (sandboxEnabled && nodeEnv === "production" && !sandboxSecret) {
    throw new ConfigError("SANDBOX_WEBHOOK_SECRET: required when PAYMENTS_SANDBOX is on in production");
  }
  if (sandboxSecret !== undefined && sandboxSecret.length < 16) {
    throw new ConfigError("SANDBOX_WEBHOOK_SECRET: must be at least 16 characters");
  }
  const clickpesa = {
    clientId: read(env, "CLICKPESA_CLIENT_ID", undefined as string | undefined, String),
    apiKey: read(env, "CLICKPESA_API_KEY", undefined as string | undefined, String),
    checksumKey: read(env, "CLICKPESA_CHECKSUM_KEY", undefined as string | undefined, String),
    baseUrl: read(env, "CLICKPESA_BASE_URL", "https://api.clickpesa.com/third-parties", url("https:", "http:")).replace(/\/+$/, ""),
  };
  const given = (["clientId", "apiKey", "checksumKey"] as const).filter((key) => clickpesa[key] !== undefined);
  if (given.length > 0 && given.length < 3) {
    // Half a configuration is a mistake, not "disabled": say which variable is missing.
    const names = { clientId: "CLICKPESA_CLIENT_ID", apiKey: "CLICKPESA_API_KEY", checksumKey: "CLICKPESA_CHECKSUM_KEY" };
    const missing = (["clientId", "apiKey", "checksumKey"] as const).filter((key) => clickpesa[key] === undefined);
    throw new ConfigError(`${missing.map((key) => names[key]).join(", ")}: required when any CLICKPESA_* credential is set`);
  }
  const str = undefined as string | undefined;
  const baseUrl = (name: string, fallback: string) => read(env, name, fallback, url("https:", "http:")).replace(/\/+$/, "");
  /** Our public origin as gateways reach it: their callback URLs are <this>/webhooks/payments/<provider>. */
  const webhookBaseUrl = read(env, "PAYMENT_WEBHOOK_BASE_URL", str, url("https:", "http:"))?.replace(/\/+$/, "");
  const webhookUrl = (provider: string) => (webhookBaseUrl ? `${webhookBaseUrl}/webhooks/payments/${provider}` : null);
  const timeoutMs = read(env, "PAYMENT_GATEWAY_TIMEOUT", 15_000, duration);
  const toleranceMs = read(env, "PAYMENT_WEBHOOK_TOLERANCE", 5 * 60_000, duration);
  const currency = (raw: string) => {
    if (!/^[A-Za-z]{3}$/.test(raw)) throw new Error("must be a three-letter currency code");
    return raw.toUpperCase();
  };
  // Read whether or not their provider is configured: a wrong value is a mistake either way.
  const selcomBaseUrl = baseUrl("SELCOM_BASE_URL", "https://apigw.selcommobile.com/v1");
  const polarBaseUrl = baseUrl("POLAR_BASE_URL", "https://api.polar.sh");
  const polarCurrency = read(env, "POLAR_CURRENCY", "USD", currency);
  const polarSuccessUrl = read(env, "POLAR_SUCCESS_URL", str, url("https:", "http:"));
  const paymobBaseUrl = baseUrl("PAYMOB_BASE_URL", "https://accept.paymob.com");
  const paymobCurrency = read(env, "PAYMOB_CURRENCY", "EGP", currency);
  const selcom = allOrNone(
    {
      apiKey: read(env, "SELCOM_API_KEY", str, String),
      apiSecret: read(env, "SELCOM_API_SECRET", str, String),
      vendor: read(env, "SELCOM_VENDOR", str, String),
    },
    { apiKey: "SELCOM_API_KEY", apiSecret: "SELCOM_API_SECRET", vendor: "SELCOM_VENDOR" },
    "SELCOM_*",
  );
  if (selcom && !webhookBaseUrl)
    throw new ConfigError("PAYMENT_WEBHOOK_BASE_URL: required with SELCOM_* (every Selcom order names its callback URL)");
  const polar = allOrNone(
    {
      accessToken: read(env, "POLAR_ACCESS_TOKEN", str, String),
      webhookSecret: read(env, "POLAR_WEBHOOK_SECRET", str, String),
      productId: read(env, "POLAR_PRODUCT_ID", str, String),
    },
    { accessToken: "POLAR_ACCESS_TOKEN", webhookSecret: "POLAR_WEBHOOK_SECRET", productId: "POLAR_PRODUCT_ID" },
    "POLAR_*",
  );
  const paymob = allOrNone(
    {
      secretKey: read(env, "PAYMOB_SECRET_KEY", str, String),
      publicKey: read(env, "PAYMOB_PUBLIC_KEY", str, String),
      hmacSecret: read(env, "PAYMOB_HMAC_SECRET", str, String),
      integrationIds: read(env, "PAYMOB_INTEGRATION_IDS", str, String),
    },
    {
      secretKey: "PAYMOB_SECRET_KEY",
      publicKey: "PAYMOB_PUBLIC_KEY",
      hmacSecret: "PAYMOB_HMAC_SECRET",
      integrationIds: "PAYMOB_INTEGRATION_IDS",
    },
    "PAYMOB_*",
  );
  const integrationIds = paymob?.integrationIds.split(",").map((id) => id.trim());
  if (integrationIds && !integrationIds.every((id) => /^\d{1,12}$/.test(id))) {
    throw new ConfigError("PAYMOB_INTEGRATION_IDS: must be Paymob integration ids (numbers), separated by commas");
  }
  return {
    selcom: selcom && { ...selcom, baseUrl: selcomBaseUrl, webhookUrl: webhookUrl("selcom")!, timeoutMs, toleranceMs },
    polar: polar && {
      ...polar,
      baseUrl: polarBaseUrl,
      currency: polarCurrency,
      successUrl: polarSuccessUrl ?? null,
      timeoutMs,
      toleranceMs,
    },
    paymob: paymob && {
      ...paymob,
      integrationIds: integrationIds!.map(Number),
      baseUrl: paymobBaseUrl,
      currency: paymobCurrency,
      webhookUrl: webhookUrl("paymob"),
      timeoutMs,
    },
    sandbox: sandboxEnabled ? { webhookSecret: sandboxSecret ?? DEV_SANDBOX_WEBHOOK_SECRET } : undefined,
    clickpesa:
      given.length === 3
        ? { clientId: clickpesa.clientId!, apiKey: clickpesa.apiKey!, checksumKey: clickpesa.checksumKey!, baseUrl: clickpesa.baseUrl }
        : undefined,
    /** How far a signed webhook's timestamp may be from now (replay window). */
    webhookToleranceMs: toleranceMs,
  };
}

export type Config = ReturnType<typeof loadConfig>;

/** Exit code for a configuration error (EX_CONFIG from sysexits.h). */
export const EXIT_CONFIG = 78;

/** For commands: the configuration, or a one-line message naming the variable and exit 78. */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Configuration error: ${error.message}`);
    process.exit(EXIT_CONFIG);
  }
}
