import { Field, ObjectType } from "type-graphql";
import type { AuthSession } from "../../drizzle/schema";
import type { VerificationChannel as ChannelValue } from "../../drizzle/tables/enums-types";
import { VerificationChannel } from "../shared/enums";
import { DateTime, UUID } from "../shared/scalars";

@ObjectType({ description: "Tokens for a signed-in session." })
export class AuthPayload {
  @Field(() => String, { description: "Send as `Authorization: Bearer <token>`; short-lived (15 minutes by default)." })
  accessToken: string;

  @Field(() => DateTime)
  accessTokenExpiresAt: Date;

  @Field(() => String, {
    nullable: true,
    description: "Exchange with refreshToken for new tokens; single use. Null when the session's current one stays valid, and in cookie mode (it is in the cookie).",
  })
  refreshToken: string | null;

  @Field(() => DateTime, { nullable: true })
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
  @Field(() => Boolean)
  valid: boolean;

  @Field(() => String, { nullable: true, description: "EXPIRED, INVALID or REVOKED when not valid." })
  reason: string | null;

  @Field(() => UUID, { nullable: true })
  userId?: string | null;

  @Field(() => UUID, { nullable: true })
  tenantId?: string | null;

  @Field(() => DateTime, { nullable: true })
  expiresAt?: Date | null;
}

@ObjectType({ description: "A signed-in device." })
export class Session implements Pick<AuthSession, "id" | "deviceName" | "userAgent" | "ipAddress" | "createdAt" | "lastUsedAt" | "expiresAt"> {
  @Field(() => UUID)
  id: string;

  @Field(() => String, { nullable: true, description: "Name given at login, e.g. \"Mona's phone\"." })
  deviceName: string | null;

  @Field(() => String, { nullable: true })
  userAgent: string | null;

  @Field(() => String, { nullable: true })
  ipAddress: string | null;

  @Field(() => DateTime)
  createdAt: Date;

  @Field(() => DateTime)
  lastUsedAt: Date;

  @Field(() => DateTime)
  expiresAt: Date;
}

@ObjectType({ description: "Where the code for a phone number or email change went; the same answer whether or not the address is free." })
export class ContactChangeRequest {
  @Field(() => VerificationChannel, { description: "SMS, WHATSAPP or EMAIL." })
  channel: ChannelValue;

  @Field(() => String, { description: "The new address, normalised (E.164 phone number or lower-case email)." })
  destination: string;
}
