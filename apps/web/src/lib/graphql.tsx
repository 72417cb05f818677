"use client";

import { createClient as createSseClient, NetworkError } from "graphql-sse";
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Client, cacheExchange, fetchExchange, mapExchange, Provider, useQuery, type AnyVariables, type CombinedError, type DocumentInput } from "urql";
import { CSRF_HEADER } from "./csrf";
import { signInPath } from "./return-to";

/** Where the dashboard's API is mounted (apps/web/src/app/api/graphql/route.ts). */
export const API_PATH = "/api/graphql";

/** Sent on every API request: the API refuses GETs and form-encoded posts without it (CSRF). */
const API_HEADERS = { [CSRF_HEADER]: "1" };

let leaving = false;

/** The session is over (expired, revoked, signed out elsewhere): to the sign-in page, back here afterwards. */
export function toSignIn(): void {
  if (leaving || typeof window === "undefined") return;
  leaving = true;
  window.location.assign(signInPath(`${window.location.pathname}${window.location.search}`));
}

/** True when the API answered 401: nobody (any more) signed in. */
export function isUnauthenticated(error: CombinedError | undefined | null): boolean {
  return error?.response?.status === 401 || error?.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED") === true;
}

const client = new Client({
  url: API_PATH,
  exchanges: [cacheExchange, mapExchange({ onError: (error) => void (isUnauthenticated(error) && toSignIn()) }), fetchExchange],
  requestPolicy: "cache-and-network",
  preferGetMethod: false,
  fetchOptions: { headers: API_HEADERS, credentials: "same-origin" },
});

interface LiveState {
  /** Increments each time ingestion commits new data. */
  version: number;
  connected: boolean;
  lastChangeMs: number | null;
}

const LiveContext = createContext<LiveState>({ version: 0, connected: false, lastChangeMs: null });

const SUBSCRIPTION = "subscription LiveUpdates { dataChanged { at files entries questions } }";

/**
 * Listens to the API's `dataChanged` subscription (GraphQL over server-sent
 * events, graphql-sse's "distinct connections" mode, which Yoga serves) and
 * bumps a version that every query watches, so open pages refetch when
 * ingestion commits. graphql-sse reads the stream with fetch, so the
 * request carries the CSRF header (EventSource cannot send headers). When
 * the stream ends or fails it is opened again, backing off up to 30 s; a
 * 401 means the session ended: to the sign-in page.
 */
function useLiveUpdates(): LiveState {
  const [state, setState] = useState<LiveState>({ version: 0, connected: false, lastChangeMs: null });
  useEffect(() => {
    const sse = createSseClient({ url: API_PATH, headers: API_HEADERS, credentials: "same-origin", retryAttempts: 0 });
    let stopped = false;
    let failures = 0;
    let dispose: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const again = (): void => {
      setState((s) => ({ ...s, connected: false }));
      if (stopped) return;
      const delay = Math.min(30_000, 1_000 * 2 ** Math.min(failures, 5));
      failures++;
      timer = setTimeout(open, delay);
    };
    const open = (): void => {
      dispose = sse.subscribe({ query: SUBSCRIPTION }, {
        next: () => setState((s) => ({ version: s.version + 1, connected: true, lastChangeMs: Date.now() })),
        error: (err: unknown) => {
          if (err instanceof NetworkError && err.response?.status === 401) {
            setState((s) => ({ ...s, connected: false }));
            toSignIn();
            return;
          }
          again();
        },
        complete: again,
      }, {
        connected: () => {
          failures = 0;
          setState((s) => ({ ...s, connected: true }));
        },
      });
    };
    open();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      dispose?.();
      sse.dispose();
    };
  }, []);
  return state;
}

export function GraphqlProvider({ children }: { children: ReactNode }): ReactNode {
  const live = useLiveUpdates();
  return (
    <Provider value={client}>
      <LiveContext.Provider value={live}>{children}</LiveContext.Provider>
    </Provider>
  );
}

export function useLive(): LiveState {
  return useContext(LiveContext);
}

export interface GqlResult<T> {
  data: T | undefined;
  fetching: boolean;
  error: string | null;
  retry(): void;
}

export interface GqlOptions {
  /**
   * Also refetch every this many milliseconds while the tab is visible: for
   * what changes on another schedule than ingestion (alert states change
   * when the worker evaluates its rules, not when a file lands).
   */
  pollMs?: number;
}

/** A query that refetches when its variables change and when new data lands (and every `pollMs` when set). */
export function useGql<T, V extends AnyVariables = AnyVariables>(query: DocumentInput<T, V>, variables: V, pause = false, options: GqlOptions = {}): GqlResult<T> {
  const { version } = useLive();
  const stableVars = useMemo(() => variables, [JSON.stringify(variables)]); // eslint-disable-line react-hooks/exhaustive-deps
  const [result, reexecute] = useQuery<T, V>({ query, variables: stableVars, pause });
  const seen = useRef(version);
  useEffect(() => {
    if (version !== seen.current) {
      seen.current = version;
      reexecute({ requestPolicy: "network-only" });
    }
  }, [version, reexecute]);
  const { pollMs } = options;
  useEffect(() => {
    if (!pollMs || pause) return;
    const t = setInterval(() => {
      if (document.visibilityState !== "hidden") reexecute({ requestPolicy: "network-only" });
    }, pollMs);
    return () => clearInterval(t);
  }, [pollMs, pause, reexecute]);
  return {
    data: result.data,
    fetching: result.fetching,
    error: result.error ? errorText(result.error) : null,
    retry: () => reexecute({ requestPolicy: "network-only" }),
  };
}

/** A GraphQL error in words for a person. */
export function errorText(error: CombinedError): string {
  return friendlyError(error.graphQLErrors[0]?.message ?? error.message);
}

function friendlyError(message: string): string {
  if (/network|fetch/i.test(message)) return "Could not reach the server. Check your connection and try again.";
  return message.replace(/^\[GraphQL\] /, "");
}
