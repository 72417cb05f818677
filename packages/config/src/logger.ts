import { pino, type Logger } from "pino";

/**
 * The project's logger: structured JSON on stderr, so that stdout stays free
 * for machine-readable output (`ingest --json`). Paths that can hold secrets
 * are censored as a last line of defence; the log model redacts them before
 * anything is stored.
 */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: [
          "*.headers.cookie",
          "*.headers.authorization",
          "*.headers.access_token",
          "headers.cookie",
          "headers.authorization",
          "password",
          "*.password",
          "connectionString",
        ],
        censor: "[redacted]",
      },
    },
    pino.destination({ fd: 2, sync: false }),
  );
}

export type { Logger };
