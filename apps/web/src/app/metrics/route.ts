import { forward } from "../../server/api";

// Prometheus metrics of the API (requests, latency, cache hits, ingest lag).
export const dynamic = "force-dynamic";
export const runtime = "nodejs";
export const GET = forward;
