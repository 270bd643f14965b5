import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { Context } from "../../server/context";
import { importPeople } from "../../server/services/people-import";
import { ImportPeopleInput, ImportPeopleResult } from "./import.type";

@Resolver()
export class PeopleImportResolver {
  @Mutation(() => ImportPeopleResult, {
    description:
      "Staff: checks a CSV or XLSX file of students, children with guardians, or members and, unless dryRun, imports it in one transaction when no row has an error. Idempotent: rows already imported are left as they are. Students and guardians must already be members of the tenant; a MEMBERS file invites the others.",
  })
  importPeople(
    @Arg("input", () => ImportPeopleInput, { description: "The file and what it holds." }) input: ImportPeopleInput,
    @Ctx() ctx: Context,
  ) {
    return importPeople(ctx, input);
  }
}
