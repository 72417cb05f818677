import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, MigrationError, checksumOf, loadMigrations } from "../src/migrate";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "log-insights-migrations-"));
  dirs.push(dir);
  for (const [name, sql] of Object.entries(files)) await writeFile(path.join(dir, name), sql);
  return dir;
}

describe("loadMigrations", () => {
  it("finds the package's migrations from any working directory", async () => {
    expect(MIGRATIONS_DIR).toMatch(/packages[/\\]store[/\\]migrations[/\\]?$/);
    const migrations = await loadMigrations();
    expect(migrations[0]).toMatchObject({ version: 1, name: "0001_initial", file: "0001_initial.sql" });
  });

  it("orders by version and ignores files that are not .sql", async () => {
    const dir = await folder({ "0010_b.sql": "SELECT 2;", "0002_a.sql": "SELECT 1;", "README.md": "notes" });
    expect((await loadMigrations(dir)).map((m) => m.name)).toEqual(["0002_a", "0010_b"]);
  });

  it("rejects badly named and duplicate versions", async () => {
    await expect(loadMigrations(await folder({ "2_add.sql": "" }))).rejects.toThrow(MigrationError);
    await expect(loadMigrations(await folder({ "0002-Add.sql": "" }))).rejects.toThrow(/not named NNNN_name\.sql/);
    await expect(loadMigrations(await folder({ "0002_a.sql": "", "0002_b.sql": "" }))).rejects.toThrow(/share the version 0002/);
  });

  it("checksums ignore line endings and a byte order mark, nothing else", () => {
    expect(checksumOf("SELECT 1;\r\nSELECT 2;\r\n")).toBe(checksumOf("SELECT 1;\nSELECT 2;\n"));
    expect(checksumOf("\uFEFFSELECT 1;\n")).toBe(checksumOf("SELECT 1;\n"));
    expect(checksumOf("SELECT 1;\n")).not.toBe(checksumOf("SELECT 1; \n"));
  });
});
