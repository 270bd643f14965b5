import { Field, Int, ObjectType } from "type-graphql";
import type { MessageDelivery as DeliveryRow } from "../../drizzle/schema";
import { Language, MessageDeliveryStatus, VerificationChannel } from "../shared/enums";
import { DateTime, UUID } from "../shared/scalars";

@ObjectType({ description: "One outgoing message (email, SMS or WhatsApp) to one address, and how sending it went." })
export class MessageDelivery
  implements
    Pick<
      DeliveryRow,
      | "id"
      | "channel"
      | "kind"
      | "language"
      | "subject"
      | "status"
      | "attempts"
      | "lastError"
      | "provider"
      | "createdAt"
      | "sentAt"
      | "deliveredAt"
    >
{
  @Field(() => UUID, { description: "The delivery's id (sent to providers that take an idempotency key)." })
  id: string;

  @Field(() => VerificationChannel, { description: "Channel it goes out on." })
  channel: DeliveryRow["channel"];

  @Field(() => String, { description: "The address with its middle hidden, e.g. +255•••••••21 or a•••@example.org." })
  maskedDestination: string;

  @Field(() => String, { description: "Notification kind it carries, e.g. enrollment.approved." })
  kind: string;

  @Field(() => Language, { description: "Language it was written in (the recipient's)." })
  language: DeliveryRow["language"];

  @Field(() => String, { description: "Subject (email) or title." })
  subject: string;

  @Field(() => MessageDeliveryStatus, { description: "Where it is: queued, sending, sent, delivered, failed or dead." })
  status: DeliveryRow["status"];

  @Field(() => Int, { description: "Attempts made so far (a retry counts one more)." })
  attempts: number;

  @Field(() => String, {
    nullable: true,
    description: "Why the last attempt failed (provider's answer, timeout, refused connection); null after a success.",
  })
  lastError: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Adapter that handled it: smtp, beem, twilio, whatsapp, webhook or outbox; null before the first attempt.",
  })
  provider: string | null;

  @Field(() => DateTime, { nullable: true, description: "When the next attempt may start while QUEUED; null once finished." })
  nextAttemptAt: Date | null;

  @Field(() => DateTime, { description: "When it was queued." })
  createdAt: Date;

  @Field(() => DateTime, { nullable: true, description: "When the provider accepted it; null until then." })
  sentAt: Date | null;

  @Field(() => DateTime, {
    nullable: true,
    description: "When the provider reported it delivered; null until then (not every provider reports).",
  })
  deliveredAt: Date | null;
}
