import type { Env } from "@log-insights/config";
import type { PrivacyOptions } from "@log-insights/logs";

/** The ingest's privacy settings from the validated environment (PRIVACY_MASK_PII, PRIVACY_IP_MODE, PRIVACY_IP_HASH_KEY). */
export function privacyFromEnv(env: Pick<Env, "PRIVACY_MASK_PII" | "PRIVACY_IP_MODE" | "PRIVACY_IP_HASH_KEY">): PrivacyOptions {
  return { maskPii: env.PRIVACY_MASK_PII, ipMode: env.PRIVACY_IP_MODE, ipHashKey: env.PRIVACY_IP_HASH_KEY };
}
