/**
 * Test data: tenants and people are inserted directly (as the owner, like the
 * seed), then every test acts through the API with real tokens.
 */
import { randomBytes, randomInt } from "node:crypto";
import { tenants, users } from "../../drizzle/schema";
import type { Language, MembershipRole } from "../../drizzle/tables/enums-types";
import { grantMembership } from "../../server/services/members";
import { LoginDocument } from "../sdk/graphql";
import { data, type GraphQLClient } from "./client";
import type { TestServer } from "./server";

export const PASSWORD = "correct-horse-battery";

export interface TestTenant {
  id: string;
  slug: string;
}

export interface TestUser {
  id: string;
  phone: string;
  email: string;
  password: string;
}

export interface SignedIn {
  user: TestUser;
  token: string;
  refreshToken: string;
  sessionId: string;
  client: GraphQLClient;
}

/** A valid Egyptian mobile number nobody else in this run has. */
export const uniquePhone = () => `+2010${String(randomInt(0, 100_000_000)).padStart(8, "0")}`;
export const uniqueSlug = (prefix = "t") => `${prefix}-${randomBytes(5).toString("hex")}`;

export class Fixtures {
  constructor(private readonly t: TestServer) {}

  async tenant(values: { slug?: string; name?: string; timeZone?: string; currency?: string; defaultLanguage?: Language } = {}) {
    const slug = values.slug ?? uniqueSlug();
    const [row] = await this.t.deps.database.db
      .insert(tenants)
      .values({ slug, name: values.name ?? `Centre ${slug}`, ...values })
      .returning({ id: tenants.id, slug: tenants.slug });
    return row! as TestTenant;
  }

  async user(
    options: {
      tenant?: TestTenant;
      roles?: MembershipRole[];
      password?: string;
      language?: Language;
      platformAdmin?: boolean;
      firstName?: string;
      verified?: boolean;
    } = {},
  ): Promise<TestUser> {
    const phone = uniquePhone();
    const email = `${phone.slice(1)}@test.example`;
    const password = options.password ?? PASSWORD;
    const db = this.t.deps.database.db;
    const [user] = await db
      .insert(users)
      .values({
        phoneNumber1: phone,
        email,
        passwordHash: await this.t.deps.passwords.hash(password),
        firstName: options.firstName ?? "Test",
        lastName: "User",
        preferredLanguage: options.language ?? "en",
        isPlatformAdmin: options.platformAdmin ?? false,
        ...(options.verified === false ? {} : { isVerified: true, phoneVerifiedAt: new Date(), emailVerifiedAt: new Date() }),
      })
      .returning({ id: users.id });
    if (options.tenant && options.roles?.length) await grantMembership(db, options.tenant.id, user!.id, options.roles);
    return { id: user!.id, phone, email, password };
  }

  /** Signs a user in through the API (into `tenant` when given). */
  async login(user: TestUser, tenant?: TestTenant): Promise<SignedIn> {
    const result = data(
      await this.t.client({ tenant: tenant?.slug }).request(LoginDocument, {
        input: { identifier: user.phone, password: user.password, deviceName: "vitest" },
      }),
    );
    return {
      user,
      token: result.login.accessToken,
      refreshToken: result.login.refreshToken!,
      sessionId: result.login.sessionId,
      client: this.t.client({ token: result.login.accessToken }),
    };
  }

  /** A new member of `tenant` with `roles`, signed in. */
  async member(tenant: TestTenant, roles: MembershipRole[], options: { language?: Language } = {}) {
    return this.login(await this.user({ tenant, roles, ...options }), tenant);
  }
}
