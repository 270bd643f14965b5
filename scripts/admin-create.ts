/**
 * `npm run admin:create -- --email <email> --phone <+E.164> [--first-name …] [--last-name …] [--reset-password]`
 * `npm run admin:create -- --disable-demo-logins`
 *
 * The first platform admin of a deployment (server/auth/platform-admin.ts). The
 * password is asked for on a terminal (not echoed, twice) or read from the first
 * line of stdin when piped (`printf '%s\n' "$PASSWORD" | npm run admin:create -- …`);
 * never from an argument, where `ps` and the shell history would keep it.
 *
 * Idempotent: when an account has that email or phone number it becomes a
 * platform admin and keeps its password (no password is read) unless
 * --reset-password (then its sessions are signed out too).
 *
 * --disable-demo-logins deactivates the demo seed's accounts that still have the
 * public password, which NODE_ENV=production refuses to start with.
 *
 * Works on DATABASE_URL (PostgreSQL) and on the embedded data directory, whose
 * lock it takes: while a server runs on ROSTER_DATA_DIR it refuses (exit 75).
 * Pending migrations are applied first (idempotent).
 *
 * Exit codes: 0 done, 1 refused (weak password, two different accounts …),
 * 2 usage, 75 data directory in use, 78 configuration error.
 */
import { parseArgs } from "node:util";
import { read } from "read";
import { createPasswordHasher } from "../server/auth/passwords";
import {
  adminPasswordProblem,
  ensurePlatformAdmin,
  findAdminCandidate,
  normalizeAdminAddresses,
  PlatformAdminError,
  type PlatformAdminInput,
} from "../server/auth/platform-admin";
import { loadConfigOrExit } from "../server/config";
import { openDatabase } from "../server/db/client";
import { migrateDatabase } from "../server/db/migrate";
import { createLog } from "../server/log";
import { DEMO_PASSWORD, disableDemoLogins } from "../server/seed/demo";
import { exitOnStartupError } from "../server/startup-error";

const USAGE = `usage:
  npm run admin:create -- --email <email> --phone <+E.164> [--first-name <name>] [--last-name <name>] [--reset-password]
  npm run admin:create -- --disable-demo-logins

  The password is prompted for (not echoed), or read from the first line of stdin when piped.
  An existing account with that email or phone becomes a platform admin; its password stays
  unless --reset-password.`;

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(USAGE);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: {
        email: { type: "string" },
        phone: { type: "string" },
        "first-name": { type: "string" },
        "last-name": { type: "string" },
        "reset-password": { type: "boolean", default: false },
        "disable-demo-logins": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    usage((error as Error).message);
  }
}

/** Everything piped in, up to the first line break (the password). */
async function passwordFromStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.includes("\n")) break;
  }
  return text.split(/\r?\n/)[0] ?? "";
}

async function passwordFromTerminal(): Promise<string> {
  const first = await read({ prompt: "Password for the platform admin: ", silent: true, replace: "", output: process.stderr });
  const again = await read({ prompt: "Again: ", silent: true, replace: "", output: process.stderr });
  if (first !== again) throw new PlatformAdminError("the two passwords differ");
  return String(first);
}

function fail(message: string): never {
  console.error(`admin:create: ${message}`);
  process.exit(1);
}

const { values } = parse();
if (values.help) usage();
const input: PlatformAdminInput = {
  email: values.email,
  phone: values.phone,
  firstName: values["first-name"],
  lastName: values["last-name"],
  resetPassword: values["reset-password"],
};
const disableDemo = values["disable-demo-logins"];
if (!input.email && !input.phone && !disableDemo) usage("give --email and/or --phone, or --disable-demo-logins");
if (input.email || input.phone) {
  try {
    normalizeAdminAddresses(input); // a typo is told before anything is opened or asked
  } catch (error) {
    fail((error as Error).message);
  }
}

const config = loadConfigOrExit({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" });
let database;
try {
  // Embedded: takes the data-directory lock, so it refuses (exit 75) while an instance runs.
  database = await openDatabase(config, createLog(config));
} catch (error) {
  exitOnStartupError(error);
}
let code = 0;
try {
  await migrateDatabase(database);
  const passwords = await createPasswordHasher(config.auth.argon2);
  if (input.email || input.phone) {
    const { existing } = await findAdminCandidate(database, input);
    let password: string | undefined;
    if (!existing || input.resetPassword) {
      password = process.stdin.isTTY ? await passwordFromTerminal() : await passwordFromStdin();
      const problem = adminPasswordProblem(password, [DEMO_PASSWORD]);
      if (problem) throw new PlatformAdminError(problem);
    }
    const outcome = await ensurePlatformAdmin(database, passwords, input, password);
    const who = [outcome.email, outcome.phone].filter(Boolean).join(" ");
    if (outcome.kind === "created") console.log(`created platform admin ${who} (${outcome.userId}) in ${database.kind}`);
    else {
      const role = outcome.wasAdmin ? "was already a platform admin" : "is now a platform admin";
      const password = outcome.passwordChanged
        ? "password reset, its sessions signed out"
        : "password unchanged (--reset-password to set one)";
      console.log(`existing account ${who} (${outcome.userId}) ${role}; ${password}`);
    }
  }
  if (disableDemo) {
    const disabled = await disableDemoLogins(database, passwords);
    console.log(
      disabled.length
        ? `disabled ${disabled.length} demo account(s) that had the public password: ${disabled.map((user) => user.email ?? user.phone).join(", ")}`
        : "no demo account has the public password",
    );
  }
} catch (error) {
  if (!(error instanceof PlatformAdminError)) throw error;
  console.error(`admin:create: ${error.message}`);
  code = 1;
} finally {
  await database.close();
}
process.exit(code);
