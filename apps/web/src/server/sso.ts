import "server-only";
import { OidcSignIn, oidcSettingsFromEnv } from "@log-insights/auth";
import { webSettings } from "./http";

const KEY = Symbol.for("log-insights.web.sso");
type Holder = { [KEY]?: Map<string, OidcSignIn> };

/**
 * Single sign-on, when OIDC_ISSUER_URL and OIDC_CLIENT_ID are set: one
 * OidcSignIn per public address (PUBLIC_URL, else the address the request
 * came to, whose Host was checked against the allow-list), kept for the
 * process so the provider's discovery document is fetched once.
 */
export function ssoFor(origin: string): OidcSignIn | null {
  const { env } = webSettings();
  const publicUrl = env.PUBLIC_URL ?? origin;
  const settings = oidcSettingsFromEnv(env, publicUrl);
  if (!settings) return null;
  const holder = globalThis as Holder;
  const map = (holder[KEY] ??= new Map());
  let sso = map.get(publicUrl);
  if (!sso) {
    if (map.size > 16) map.clear();
    sso = new OidcSignIn(settings);
    map.set(publicUrl, sso);
  }
  return sso;
}

/** The sign-in button's words when single sign-on is set up; null otherwise. */
export function ssoButtonLabel(): string | null {
  const { env } = webSettings();
  return env.OIDC_ISSUER_URL && env.OIDC_CLIENT_ID ? env.OIDC_BUTTON_LABEL : null;
}
