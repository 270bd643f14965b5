import { Field, ObjectType } from "type-graphql";
import type { AuthSession } from "../../drizzle/schema";
import type { VerificationChannel as ChannelValue } from "../../drizzle/tables/enums-types";
import { VerificationChannel } from "../shared/enums";
import { DateTime, UUID } from "../shared/scalars";

@ObjectType({ description: "Tokens for a signed-in session." })
export class AuthPayload {
  @Field(() => String, { description: "Send as `Authorization: Bearer <token>`; short-lived (15 minutes by default)." })
  accessToken: string;

  @Field(() => DateTime, { description: "When accessToken stops working: refresh before then." })
  accessTokenExpiresAt: Date;

  @Field(() => String, {
    nullable: true,
    description:
      "Exchange with refreshToken for new tokens; single use. Null when the session's current one stays valid, and in cookie mode (it is in the cookie).",
  })
  refreshToken: string | null;

  @Field(() => DateTime, {
    nullable: true,
    description: "When the refresh token (or cookie) expires; null when refreshToken is null outside cookie mode.",
  })
  refreshTokenExpiresAt: Date | null;

  @Field(() => UUID, { description: "This device's session (see mySessions)." })
  sessionId: string;

  userId: string;
  tenantId: string | null;
}

@ObjectType({ description: "Outcome of register: the same whether or not the phone or email was free." })
export class RegisterPayload {
  @Field(() => Boolean, { description: "A code was sent; call verifyAccount with it before signing in." })
  verificationRequired: boolean;

  @Field(() => VerificationChannel, { nullable: true, description: "Where the code was sent." })
  channel: ChannelValue | null;
}

@ObjectType({ description: "Whether an access token is valid now." })
export class TokenVerification {
  @Field(() => Boolean, { description: "The token is signed by this server, unexpired, and its session not revoked." })
  valid: boolean;

  @Field(() => String, { nullable: true, description: "EXPIRED, INVALID or REVOKED when not valid." })
  reason: string | null;

  @Field(() => UUID, { nullable: true, description: "Whose token it is (valid tokens only)." })
  userId?: string | null;

  @Field(() => UUID, { nullable: true, description: "The tenant the token acts in, if any (valid tokens only)." })
  tenantId?: string | null;

  @Field(() => DateTime, { nullable: true, description: "When the token expires (valid tokens only)." })
  expiresAt?: Date | null;
}

@ObjectType({ description: "A signed-in device." })
export class Session
  implements Pick<AuthSession, "id" | "deviceName" | "userAgent" | "ipAddress" | "createdAt" | "lastUsedAt" | "expiresAt">
{
  @Field(() => UUID, { description: "The session's id (revokeSession takes it)." })
  id: string;

  @Field(() => String, { nullable: true, description: 'Name given at login, e.g. "Mona\'s phone".' })
  deviceName: string | null;

  @Field(() => String, { nullable: true, description: "The User-Agent the session signed in with." })
  userAgent: string | null;

  @Field(() => String, { nullable: true, description: "The client address it signed in from (behind TRUST_PROXY, the forwarded one)." })
  ipAddress: string | null;

  @Field(() => DateTime, { description: "When it signed in." })
  createdAt: Date;

  @Field(() => DateTime, { description: "When its refresh token was last used." })
  lastUsedAt: Date;

  @Field(() => DateTime, { description: "When it ends unless refreshed." })
  expiresAt: Date;
}

@ObjectType({ description: "Where the code for a phone number or email change went; the same answer whether or not the address is free." })
export class ContactChangeRequest {
  @Field(() => VerificationChannel, { description: "SMS, WHATSAPP or EMAIL." })
  channel: ChannelValue;

  @Field(() => String, { description: "The new address, normalised (E.164 phone number or lower-case email)." })
  destination: string;
}
