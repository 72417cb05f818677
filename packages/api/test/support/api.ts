import type { ApiHandler } from "../../src/handler";

/** A GraphQL response's JSON: its shape is what the assertions check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON from the API, checked by the tests' assertions
export type Json = any;

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data: T | null;
  errors: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[] | undefined;
  headers: Headers;
}

/** One GraphQL POST through the handler's fetch function (no socket). */
export async function gql<T = Record<string, unknown>>(
  handler: Pick<ApiHandler, "fetch">,
  query: string,
  variables?: Record<string, unknown>,
  options: { operationName?: string; headers?: Record<string, string>; endpoint?: string } = {},
): Promise<GqlResult<T>> {
  const res = await handler.fetch(new Request(`http://api.test${options.endpoint ?? "/graphql"}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", ...options.headers },
    body: JSON.stringify({ query, variables, operationName: options.operationName }),
  }));
  const body = (await res.json()) as { data?: T | null; errors?: GqlResult["errors"] };
  return { status: res.status, data: body.data ?? null, errors: body.errors, headers: res.headers };
}

/** The data of a query that must succeed. */
export async function data<T = Json>(handler: Pick<ApiHandler, "fetch">, query: string, variables?: Record<string, unknown>): Promise<T> {
  const r = await gql<T>(handler, query, variables);
  if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data as T;
}

/** The error codes of a query that must fail. */
export async function codes(handler: Pick<ApiHandler, "fetch">, query: string, variables?: Record<string, unknown>): Promise<string[]> {
  const r = await gql(handler, query, variables);
  return (r.errors ?? []).map((e) => String(e.extensions?.code));
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Walks a connection to the end, `first` rows at a time; calls between(page) after each page. */
export async function walk<N>(
  fetchPage: (after: string | null) => Promise<{ edges: { cursor: string; node: N }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number }>,
  between?: (pageNo: number) => Promise<void>,
): Promise<{ nodes: N[]; pages: number; totals: number[] }> {
  const nodes: N[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page = await fetchPage(after);
    pages++;
    totals.push(page.totalCount);
    nodes.push(...page.edges.map((e) => e.node));
    if (page.edges.length > 0) expectLastCursor(page);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
    if (between) await between(pages);
    if (pages > 10_000) throw new Error("runaway pagination");
  }
  return { nodes, pages, totals };
}

function expectLastCursor(page: { edges: { cursor: string }[]; pageInfo: { endCursor: string | null } }): void {
  if (page.edges[page.edges.length - 1]!.cursor !== page.pageInfo.endCursor) throw new Error("the last edge's cursor is not pageInfo.endCursor");
}

const TIME_KEYS: Record<string, string> = {
  fromMs: "from", toMs: "to", startMs: "start", endMs: "end", askedAtMs: "askedAt", answeredAtMs: "answeredAt",
  firstAskedAtMs: "firstAskedAt", lastAskedAtMs: "lastAskedAt", startedAtMs: "startedAt", endedAtMs: "endedAt", tsMs: "time",
  firstSeenMs: "firstSeenAt", lastSeenMs: "lastSeenAt", lastFileAtMs: "lastFileAt", lastIngestedAtMs: "lastIngestedAt", updatedAtMs: "updatedAt",
};
const UPPER_KEYS = new Set(["outcome"]);

/**
 * A reader's result as the API must return it: epoch-millisecond fields
 * renamed and turned into ISO strings, enum values in upper case, signals too.
 */
export function asApi(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asApi);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k in TIME_KEYS) out[TIME_KEYS[k]!] = v === null ? null : iso(v as number);
    else if (UPPER_KEYS.has(k)) out[k] = String(v).toUpperCase();
    else if (k === "signals") out[k] = (v as string[]).map((s) => s.toUpperCase());
    else if (k === "data") out[k] = v;
    else out[k] = asApi(v);
  }
  return out;
}
