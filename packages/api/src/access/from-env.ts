import { OidcSignIn, oidcSettingsFromEnv, policyFromEnv } from "@log-insights/auth";
import type { Env } from "@log-insights/config";
import type { ApiAccessOptions } from "../handler";

/** The API's access settings from the validated environment (README "Access and privacy"). */
export function accessFromEnv(env: Env, fallbackPublicUrl?: string): ApiAccessOptions {
  const publicUrl = env.PUBLIC_URL ?? fallbackPublicUrl ?? null;
  const sso = publicUrl ? oidcSettingsFromEnv(env, publicUrl) : null;
  return {
    policy: policyFromEnv(env),
    publicUrl,
    allowedHosts: env.ALLOWED_HOSTS,
    trustProxy: env.TRUST_PROXY,
    limits: { perMinute: env.API_RATE_LIMIT_PER_MINUTE, concurrent: env.API_MAX_CONCURRENT, subscriptions: env.API_MAX_SUBSCRIPTIONS },
    sso: sso ? new OidcSignIn(sso) : null,
  };
}
