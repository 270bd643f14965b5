/** The schema lint (scripts/lint-schema.ts): the committed schema passes it, and it catches what it must. */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { lintSchema, UNDESCRIBED_FOR_NOW } from "../scripts/lint-schema";

const lint = (sdl: string, options?: Parameters<typeof lintSchema>[1]) => lintSchema(buildSchema(sdl), options);
const none = { undescribedForNow: [], namingExceptions: [] };

describe("schema lint", () => {
  it("passes on the committed schema.graphql, every type, field and argument described", () => {
    const result = lintSchema(buildSchema(fs.readFileSync("schema.graphql", "utf8")));
    expect(result.undescribed).toEqual([]);
    expect(result.naming).toEqual([]);
    expect(result.stale).toEqual([]);
    expect(result.coverage.enumValues.described).toBe(result.coverage.enumValues.total);
    // What the allow-list excuses stays within the types and root fields it names.
    for (const coordinate of result.allowed) {
      const type = coordinate.split(".")[0]!;
      const field = coordinate.replace(/\(.*$/, "");
      expect(UNDESCRIBED_FOR_NOW.includes(type) || UNDESCRIBED_FOR_NOW.includes(field), coordinate).toBe(true);
    }
  });

  it("lists every undescribed type, field, argument, input field and enum value", () => {
    const result = lint(
      `
      type Query { course(id: ID!): Course }
      type Course { id: ID! }
      input CourseFilter { name: String }
      enum Colour { RED }
      `,
      none,
    );
    expect(result.undescribed).toEqual([
      "Colour",
      "Colour.RED",
      "Course",
      "Course.id",
      "CourseFilter",
      "CourseFilter.name",
      "Query.course",
      "Query.course(id:)",
    ]);
    expect(result.coverage.types).toEqual({ described: 0, total: 3 });
  });

  it("counts a blank description as none, and passes a described schema", () => {
    expect(lint(`"""   """ type Thing { "x" a: Int } type Query { "x" t: Thing }`, none).undescribed).toEqual(["Thing"]);
    const described = lint(`type Query { "The answer." a("Which." b: Int): Int }`, none);
    expect(described).toMatchObject({ undescribed: [], naming: [], stale: [] });
  });

  it("checks the naming conventions", () => {
    const result = lint(
      `
      "q" type Query { "x" Bad_Field("x" Arg: Int): lower_type }
      "m" type Mutation { "x" courseCreate: Int "x" createCourse: Int }
      "t" type lower_type { "x" a: Int }
      "i" input CourseFields { "x" a: Int }
      "i" input CourseInput { "x" snake_case: Int }
      "e" enum Colour { "x" red "x" DARK_RED "x" darkBlue }
      `,
      none,
    );
    expect(result.naming).toEqual([
      "Colour.red: enum values are SCREAMING_SNAKE_CASE",
      "Colour.darkBlue: enum values are SCREAMING_SNAKE_CASE",
      "CourseFields: input types end with Input, Filter or Order",
      "CourseInput.snake_case: input fields are camelCase",
      'Mutation.courseCreate: mutations start with a verb ("course" is not in MUTATION_VERBS)',
      "Query.Bad_Field: fields are camelCase",
      "Query.Bad_Field(Arg:): arguments are camelCase",
      "lower_type: types are PascalCase",
    ]);
  });

  it("excuses what the allow-lists name, and reports entries that excuse nothing", () => {
    const sdl = `
      type Query { me: User "x" users("x" first: Int, after: String): Int  "x" course("x" id: ID): Int }
      type User { id: ID! }
      "e" enum Language { "x" ar }
    `;
    const result = lint(sdl, {
      undescribedForNow: ["User", "Query.me", "Query.gone", "Course"],
      namingExceptions: ["Language.ar", "Language.en"],
    });
    expect(result.allowed).toEqual(["Query.me", "User", "User.id"]);
    // An allowed root field excuses itself and its arguments; another field's argument is still reported.
    expect(result.undescribed).toEqual(["Query.users(after:)"]);
    expect(result.naming).toEqual([]);
    expect(result.stale).toEqual([
      'UNDESCRIBED_FOR_NOW: "Query.gone" excuses nothing: remove it',
      'UNDESCRIBED_FOR_NOW: "Course" excuses nothing: remove it',
      'NAMING_EXCEPTIONS: "Language.en" excuses nothing: remove it',
    ]);
  });

  it("npm run lint:schema exits 1 listing every offender, 0 on a clean schema", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schema-lint-"));
    try {
      const run = (sdl: string) => {
        const file = path.join(dir, "schema.graphql");
        fs.writeFileSync(file, sdl);
        return spawnSync(process.execPath, ["--import", "tsx", "scripts/lint-schema.ts", file], { encoding: "utf8" });
      };
      const bad = run(`type Query { "x" a(b: Int): Thing } "t" type Thing { c: Int }`);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain("no description: Query.a(b:)");
      expect(bad.stderr).toContain("no description: Thing.c");
      const good = run(fs.readFileSync("schema.graphql", "utf8"));
      expect(good.stderr).toBe("");
      expect(good.stdout).toContain("lint:schema: ok");
      expect(good.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
