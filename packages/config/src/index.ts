export { envSchema, loadEnv, ConfigError, type Env } from "./env";
export { createLogger, type Logger } from "./logger";
