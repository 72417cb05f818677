import { forward } from "../../server/api";

// Readiness: the database is reachable and its migrations are current.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";
export const GET = forward;
