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

describe("loadEnv: privacy", () => {
  it("masks personal data and truncates addresses by default", () => {
    const env = loadEnv({});
    expect([env.PRIVACY_MASK_PII, env.PRIVACY_IP_MODE, env.PRIVACY_IP_HASH_KEY]).toEqual([true, "truncate", undefined]);
    expect(loadEnv({ PRIVACY_MASK_PII: "false" }).PRIVACY_MASK_PII).toBe(false);
    expect(loadEnv({ PRIVACY_MASK_PII: "0" }).PRIVACY_MASK_PII).toBe(false);
    expect(loadEnv({ PRIVACY_IP_MODE: "hash", PRIVACY_IP_HASH_KEY: "k".repeat(32) }).PRIVACY_IP_MODE).toBe("hash");
  });

  it("refuses bad values by name, never echoing them", () => {
    expect(() => loadEnv({ PRIVACY_MASK_PII: "maybe-secret" })).toThrow(/PRIVACY_MASK_PII/);
    expect(() => loadEnv({ PRIVACY_IP_MODE: "anonymise" })).toThrow(/PRIVACY_IP_MODE/);
    const short = "short-secret";
    expect(() => loadEnv({ PRIVACY_IP_MODE: "hash", PRIVACY_IP_HASH_KEY: short })).toThrow(/PRIVACY_IP_HASH_KEY/);
    let message = "";
    try {
      loadEnv({ PRIVACY_MASK_PII: "maybe-secret", PRIVACY_IP_HASH_KEY: short });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PRIVACY_MASK_PII[\s\S]*PRIVACY_IP_HASH_KEY/);
    expect(message).not.toMatch(/maybe-secret|short-secret/);
  });

  it("needs a key for the hash mode", () => {
    expect(() => loadEnv({ PRIVACY_IP_MODE: "hash" })).toThrow(ConfigError);
    expect(() => loadEnv({ PRIVACY_IP_MODE: "hash" })).toThrow(/PRIVACY_IP_HASH_KEY: required when PRIVACY_IP_MODE is hash/);
  });
});
