// `npm run schema:print`: writes the schema's SDL to packages/api/schema.graphql
// (committed; test/schema.test.ts fails when it differs from the code).
// `--check` only compares, exiting 1 on a difference.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createLogger } from "@log-insights/config";
import { printSchemaSdl } from "./schema";

const SCHEMA_FILE = fileURLToPath(new URL("../schema.graphql", import.meta.url));

const logger = createLogger("api:schema");
const sdl = printSchemaSdl();
if (process.argv.includes("--check")) {
  const committed = await readFile(SCHEMA_FILE, "utf8").catch(() => "");
  if (committed !== sdl) {
    logger.error({ file: SCHEMA_FILE }, "schema.graphql differs from the schema in code: run npm run schema:print");
    process.exitCode = 1;
  }
} else {
  await writeFile(SCHEMA_FILE, sdl);
  logger.info({ file: SCHEMA_FILE, bytes: sdl.length }, "schema written");
}
