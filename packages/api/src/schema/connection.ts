import type { ObjectFieldBuilder, ObjectRef } from "@pothos/core";
import type { Page } from "@log-insights/store";
import type { Types } from "./builder";
import { builder } from "./builder";

// Relay-style connections over the readers' keyset pages: edges { cursor
// node }, pageInfo, totalCount. Only forward paging (first/after) exists:
// the readers page by keyset from the newest or worst, which is what the
// dashboard walks, so there is no `last`/`before` to half-support
// (@pothos/plugin-relay's t.connection always adds them, hence this helper).

export interface PageInfoShape {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export const PageInfo = builder.objectRef<PageInfoShape>("PageInfo").implement({
  authScopes: { role: "viewer" },
  fields: (t) => ({
    hasNextPage: t.exposeBoolean("hasNextPage"),
    hasPreviousPage: t.exposeBoolean("hasPreviousPage", { description: "True when the page was asked for after a cursor." }),
    startCursor: t.exposeString("startCursor", { nullable: true }),
    endCursor: t.exposeString("endCursor", { nullable: true, description: "Pass as `after` for the next page." }),
  }),
});

/** A reader's page, and whether it was asked for after a cursor. */
export type PageShape<T> = Page<T> & { afterGiven: boolean };

export function pageShape<T>(page: Page<T>, after: string | null | undefined): PageShape<T> {
  return { ...page, afterGiven: after !== undefined && after !== null && after !== "" };
}

export function connectionType<T, Extra extends object = object>(
  name: string,
  node: ObjectRef<Types, T>,
  description: string,
  extraFields?: (t: ObjectFieldBuilder<Types, PageShape<T> & Extra>) => Record<string, ReturnType<ObjectFieldBuilder<Types, PageShape<T> & Extra>["field"]>>,
): ObjectRef<Types, PageShape<T> & Extra> {
  const Edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    // The node carries its own rule; the envelope holds nothing but cursors.
    authScopes: { role: "viewer" },
    fields: (t) => ({
      cursor: t.exposeString("cursor"),
      // Pothos cannot check a generic node shape against the ref; the ref is built from the same T.
      node: t.field({ type: node, resolve: (edge) => edge.node as never }),
    }),
  });
  return builder.objectRef<PageShape<T> & Extra>(`${name}Connection`).implement({
    description,
    authScopes: { role: "viewer" },
    fields: (t) => ({
      edges: t.field({ type: [Edge], resolve: (page) => page.nodes }),
      pageInfo: t.field({
        type: PageInfo,
        resolve: (page) => ({
          hasNextPage: page.hasNextPage,
          hasPreviousPage: page.afterGiven,
          startCursor: page.nodes[0]?.cursor ?? null,
          endCursor: page.endCursor,
        }),
      }),
      totalCount: t.int({ description: "Rows matching, over all pages (lists of questions, conversations and log entries count up to 10,000: see totalCountIsExact).", resolve: (page) => page.totalCount }),
      totalCountIsExact: t.boolean({ description: "false when more rows match than were counted: show the total as \"10,000+\".", resolve: (page) => page.totalCountIsExact ?? true }),
      ...(extraFields ? extraFields(t) : {}),
    }),
  });
}
