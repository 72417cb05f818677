import { forward } from "../../../server/api";

// GraphQL (queries over POST or GET, the live subscription over SSE).
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = forward;
export const POST = forward;
export const OPTIONS = forward;
