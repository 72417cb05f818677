"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo, useSyncExternalStore } from "react";
import { browserTimeZone } from "./format";
import { useRole } from "./me";
import { readTimeRange, type TimeRange } from "./time-range";
import { filterForRole, readFilter, withParams, type QuestionFilter } from "./url-state";

export interface View {
  range: TimeRange;
  /** ISO strings for the API. */
  from: string;
  to: string;
  timeZone: string;
  filter: QuestionFilter;
  params: URLSearchParams;
  /** Pushes a new URL with some parameters changed (history entry: back works). */
  update(changes: Record<string, string | number | null | undefined>, pathname?: string): void;
  /** A link to another page carrying these changes on top of the current context. */
  href(pathname: string, changes?: Record<string, string | number | null | undefined>): string;
  /** Navigates to a link (a drill-down). */
  go(href: string): void;
}

const subscribeNothing = (): (() => void) => () => undefined;

/** The browser's zone after hydration, "UTC" while rendering on the server (no mismatch). */
function useBrowserZone(): string {
  return useSyncExternalStore(subscribeNothing, browserTimeZone, () => "UTC");
}

/** The page's view (time range, time zone, filters) read from the URL: the single source of truth. */
export function useView(): View {
  const search = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const zone = useBrowserZone();
  const { support } = useRole();
  const key = search.toString();
  // "Now" moves on a minute boundary only, so refetches of a preset range hit the same cache keys.
  const minute = Math.floor(Date.now() / 60_000);
  const base = useMemo(() => {
    const params = new URLSearchParams(key);
    const range = readTimeRange(params, minute * 60_000);
    // A viewer may not filter by investor: an investor id in a shared link is ignored for them.
    return { params, range, filter: filterForRole(readFilter(params), support) };
  }, [key, minute, support]);
  const timeZone = base.params.get("tz") || zone;
  const update = useCallback(
    (changes: Record<string, string | number | null | undefined>, target?: string) => {
      router.push(`${target ?? pathname}${withParams(key, changes)}`, { scroll: false });
    },
    [router, pathname, key],
  );
  const href = useCallback((target: string, changes: Record<string, string | number | null | undefined> = {}) => `${target}${withParams(key, changes)}`, [key]);
  const go = useCallback((target: string) => router.push(target), [router]);
  return {
    ...base,
    go,
    from: new Date(base.range.fromMs).toISOString(),
    to: new Date(base.range.toMs).toISOString(),
    timeZone,
    update,
    href,
  };
}
