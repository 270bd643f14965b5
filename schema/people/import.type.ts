import { Field, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { ImportFormat as Format, ImportKind as Kind, ImportResult, ImportRowError } from "../../server/services/people-import";

export const ImportFormat = { CSV: "CSV", XLSX: "XLSX" } as const satisfies { [K in Format]: K };
registerEnumType(ImportFormat, {
  name: "ImportFormat",
  description: "Format of an imported file.",
  valuesConfig: {
    CSV: { description: "Comma-separated values, UTF-8 (a byte-order mark is allowed); the first line names the columns." },
    XLSX: { description: "An Excel workbook: the first sheet, its first row naming the columns." },
  },
});

export const ImportKind = {
  STUDENTS: "STUDENTS",
  CHILDREN_WITH_GUARDIANS: "CHILDREN_WITH_GUARDIANS",
  MEMBERS: "MEMBERS",
} as const satisfies {
  [K in Kind]: K;
};
registerEnumType(ImportKind, {
  name: "ImportKind",
  description: "What the rows of an imported file are (column names compare without case, spaces, underscores or dashes).",
  valuesConfig: {
    STUDENTS: {
      description:
        "Members of the tenant who become students: phone or email (which member), school, grade, course (optional: a course name or id to enrol in).",
    },
    MEMBERS: {
      description:
        "People to bring into the tenant as members: firstName (required), lastName, phone or email. Members already are left as they are; everyone else is invited (accepting joins), as addMember does.",
    },
    CHILDREN_WITH_GUARDIANS: {
      description:
        "Children and their guardian (a member of the tenant): childFirstName (required), childLastName, childDateOfBirth (YYYY-MM-DD), childGender (MALE, FEMALE, UNSPECIFIED), guardianPhone or guardianEmail, relation (MOTHER, FATHER, OTHER), course (optional).",
    },
  },
});

@InputType({ description: "A file of people to check (dryRun) or import." })
export class ImportPeopleInput {
  @Field(() => String, {
    description: "The file's bytes, base64 (at most 1,000,000 bytes and 2,000 rows; the request body limit applies too).",
  })
  file: string;

  @Field(() => ImportFormat, { description: "The file's format." })
  format: Format;

  @Field(() => ImportKind, { description: "What the rows are." })
  kind: Kind;

  @Field(() => Boolean, {
    description: "true: only check and report, write nothing; false: import if no row has an error (all or nothing).",
  })
  dryRun: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      "MEMBERS, when not a dry run (required then): the password of the accounts made for logins that have none, as in addMember.",
  })
  temporaryPassword?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'ISO 3166 country (e.g. "EG") for phone numbers written in national format; without it phones must be international (+…).',
  })
  country?: string | null;
}

@ObjectType("ImportRowError", { description: "A problem with one row of an imported file." })
export class ImportRowErrorType implements ImportRowError {
  @Field(() => Int, { description: "The row's line in the file; the header is row 1." })
  row: number;

  @Field(() => String, { nullable: true, description: "The column at fault; null when it is the whole row." })
  column: string | null;

  @Field(() => String, { description: "What is wrong (English)." })
  message: string;
}

@ObjectType({ description: "What an import found and did." })
export class ImportPeopleResult implements Omit<ImportResult, "errors"> {
  @Field(() => ImportKind, { description: "What the rows were." })
  kind: Kind;

  @Field(() => Boolean, { description: "Whether this was a dry run." })
  dryRun: boolean;

  @Field(() => Int, { description: "Data rows read (the header excluded, empty lines skipped)." })
  rows: number;

  @Field(() => Int, { description: "Students or children added (that would be, in a dry run or when rows have errors)." })
  created: number;

  @Field(() => Int, { description: "Rows already in the database, left as they are (re-uploading a file changes nothing)." })
  existing: number;

  @Field(() => Int, { description: "Enrolments added (that would be)." })
  enrolled: number;

  @Field(() => Int, {
    description: "MEMBERS: people invited (that would be), whether or not their login already had an account. 0 for other kinds.",
  })
  invited: number;

  @Field(() => Int, { description: "How many row errors there are (the list holds the first 200)." })
  errorCount: number;

  @Field(() => [ImportRowErrorType], { description: "The row errors, by row (at most 200)." })
  errors: ImportRowErrorType[];

  @Field(() => Boolean, { description: "Whether anything was written: never in a dry run, nor when any row has an error." })
  written: boolean;
}
