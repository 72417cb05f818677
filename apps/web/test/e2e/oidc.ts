import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

// A real OpenID provider (oidc-provider, the certified Node implementation)
// on loopback for the browser tests: one confidential client whose redirect
// URI is the dashboard's /auth/sso/callback, accounts with an email and a
// groups claim, and oidc-provider's own development login and consent
// pages, which chromium fills in like a person would.

export interface IdpAccount {
  /** What is typed as the login at the provider (the `sub`). */
  login: string;
  email: string;
  name: string;
  groups: string[];
  emailVerified?: boolean;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export async function startIdp(redirectUri: string, accounts: readonly IdpAccount[]): Promise<TestIdp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "log-insights-dashboard";
  const clientSecret = "a-client-secret-for-the-browser-tests-only";
  const byLogin = new Map(accounts.map((a) => [a.login, a]));
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    }],
    // The groups claim comes with the profile scope; claims go into the ID token (openid-client reads them there).
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
    conformIdTokenClaims: false,
    cookies: { keys: ["cookie-key-for-the-browser-tests-only"] },
    features: { devInteractions: { enabled: true } },
    findAccount: (_ctx, sub) => {
      const a = byLogin.get(sub);
      if (!a) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, email: a.email, email_verified: a.emailVerified ?? true, name: a.name, groups: a.groups }),
      };
    },
  });
  // oidc-provider warns (on the console) about its development defaults: quiet in tests.
  provider.on("server_error", () => undefined);
  server.on("request", provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
