/**
 * Which answers depend on who the viewer is, not only on their roles. Staff of a
 * tenant with the same roles see the same things — except in these fields, so a
 * subscription document selecting one is resolved for each person on their own
 * (server/graphql/ws.ts groups audiences by this).
 */
import { Kind, visit, type DocumentNode, type GraphQLSchema, TypeInfo, visitWithTypeInfo, getNamedType } from "graphql";

/** Type.field whose value depends on the viewer's identity (a test checks every private field is here). */
export const PERSONAL_FIELDS = new Set([
  // The viewer's own registration, current session, platform role.
  "Event.myRegistration",
  "Session.current",
  "User.isPlatformAdmin",
  // Private details: the person themself always sees theirs (server/auth/policies.ts).
  "User.phoneNumber1",
  "User.phoneNumber2",
  "User.email",
  "User.dateOfBirth",
  "User.gender",
  "User.identityNumber",
  "User.passwordChangedAt",
  "User.studentProfile",
  "User.parentProfile",
]);

const memo = new WeakMap<DocumentNode, boolean>();

/** Does the document select any personal field? */
export function personalDocument(schema: GraphQLSchema, document: DocumentNode, _operationName?: string | null): boolean {
  let known = memo.get(document);
  if (known === undefined) {
    known = false;
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        [Kind.FIELD]() {
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          if (parent && field && PERSONAL_FIELDS.has(`${getNamedType(parent).name}.${field.name}`)) known = true;
        },
      }),
    );
    memo.set(document, known);
  }
  return known;
}
