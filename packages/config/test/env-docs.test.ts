import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { envSchema } from "../src/env";

// The schema, .env.example and the README's configuration table are the
// three places a variable lives; a variable missing from one is a defect.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const variables = Object.keys(envSchema.shape);

describe("configuration documentation", () => {
  it("lists every variable in .env.example", () => {
    const example = readFileSync(path.join(root, ".env.example"), "utf8");
    const listed = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(variables.filter((v) => !listed.includes(v))).toEqual([]);
  });

  it("lists every variable in the README's configuration table", () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("\n## ", readme.indexOf("## Configuration") + 5));
    const rows = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(variables.filter((v) => !rows.includes(v))).toEqual([]);
    // and nothing documented that the schema does not read (except the AWS chain's own)
    expect(rows.filter((v) => !variables.includes(v!) && !v!.startsWith("AWS_") && !v!.startsWith("LOG_INSIGHTS_"))).toEqual([]);
  });
});
