// bench:api's baseline ONLY: the API exactly as `npm run api` starts it
// (src/serve.ts, the same environment and options), but with
// `openAccessForBenchmarks` on, so every request is served as an admin with
// no Host, sign-in, token, rate, concurrency or field-role check: what access control costs
// is the difference from this. Nothing in the environment can turn access
// control off: this file is not part of the product (never started by
// `npm run api` or `npm start`), and only bench/api.ts runs it.
import { serveApiFromEnv } from "../src/serve";

serveApiFromEnv({ openAccessForBenchmarks: true });
