"use client";

import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Client, cacheExchange, fetchExchange, Provider, useQuery, type AnyVariables, type DocumentInput } from "urql";

/** Where the dashboard's API is mounted (apps/web/src/app/api/graphql/route.ts). */
export const API_PATH = "/api/graphql";

const client = new Client({
  url: API_PATH,
  exchanges: [cacheExchange, fetchExchange],
  requestPolicy: "cache-and-network",
  preferGetMethod: false,
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
 * Listens to the API's `dataChanged` subscription over server-sent events
 * (GraphQL over SSE, GET) and bumps a version that every query watches, so
 * open pages refetch when ingestion commits. EventSource reconnects by itself.
 */
function useLiveUpdates(): LiveState {
  const [state, setState] = useState<LiveState>({ version: 0, connected: false, lastChangeMs: null });
  useEffect(() => {
    const source = new EventSource(`${API_PATH}?query=${encodeURIComponent(SUBSCRIPTION)}`);
    const onNext = (): void => setState((s) => ({ version: s.version + 1, connected: true, lastChangeMs: Date.now() }));
    source.addEventListener("next", onNext);
    source.onopen = () => setState((s) => ({ ...s, connected: true }));
    source.onerror = () => setState((s) => ({ ...s, connected: false }));
    return () => source.close();
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
    error: result.error ? friendlyError(result.error.graphQLErrors[0]?.message ?? result.error.message) : null,
    retry: () => reexecute({ requestPolicy: "network-only" }),
  };
}

function friendlyError(message: string): string {
  if (/network|fetch/i.test(message)) return "Could not reach the server. Check your connection and try again.";
  return message.replace(/^\[GraphQL\] /, "");
}
