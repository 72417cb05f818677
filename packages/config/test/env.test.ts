import { describe, expect, it } from "vitest";
import { ConfigError, loadEnv } from "../src/env";

describe("loadEnv", () => {
  it("applies defaults when nothing is set", () => {
    const env = loadEnv({});
    expect(env.EMBEDDED_PG_DIR).toBe(".data/postgres");
    expect(env.AWS_REGION).toBe("us-east-1");
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("treats empty strings as unset", () => {
    expect(loadEnv({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it("names the variable holding a bad value", () => {
    expect(() => loadEnv({ INGEST_MAX_ATTEMPTS: "many" })).toThrow(ConfigError);
    expect(() => loadEnv({ INGEST_MAX_ATTEMPTS: "many" })).toThrow(/INGEST_MAX_ATTEMPTS/);
    expect(() => loadEnv({ DATABASE_URL: "not a url" })).toThrow(/DATABASE_URL/);
  });
});
