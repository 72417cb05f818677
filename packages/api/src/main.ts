// `npm run api`: the GraphQL API on its own Node server (serve.ts).
import { serveApiFromEnv } from "./serve";

serveApiFromEnv();
