import { EnvelopArmor } from "@escape.tech/graphql-armor";
import {
  Kind,
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLError, type GraphQLSchema,
  type OperationDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule, type ValueNode,
} from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import { MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from "@log-insights/store";
import type { ApiErrorCode } from "./errors";

export interface ProtectionOptions {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  production: boolean;
}

function coded(ctx: ValidationContext | null, error: GraphQLError, code: ApiErrorCode): void {
  const message = error.message.replace(/^Syntax Error: /, "");
  const replaced = createGraphQLError(message, { nodes: error.nodes ?? null, extensions: { code } });
  if (ctx) ctx.reportError(replaced);
  else throw replaced;
}

/**
 * Query shape limits (GraphQL Armor, made for Envelop/Yoga): depth,
 * aliases, tokens, directives; each refusal with its own code. Armor's own
 * cost limit is off: it prices every field the same whatever the page size,
 * and here the page sizes are what make a query expensive (costLimitPlugin below).
 */
export function armorPlugins(options: ProtectionOptions): Plugin[] {
  const reject = (code: ApiErrorCode) => ({ propagateOnRejection: false, onReject: [(ctx: ValidationContext | null, err: GraphQLError) => coded(ctx, err, code)] });
  const armor = new EnvelopArmor({
    maxDepth: { n: options.maxDepth, ...reject("QUERY_TOO_DEEP") },
    maxAliases: { n: options.maxAliases, ...reject("TOO_MANY_ALIASES") },
    maxTokens: { n: options.maxTokens, ...reject("TOO_MANY_TOKENS") },
    maxDirectives: { n: options.maxDirectives, ...reject("TOO_MANY_DIRECTIVES") },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: options.production },
  });
  return armor.protect().plugins as Plugin[];
}

/** Fields that call a reader for each parent (through a loader), with the list size they typically return. */
const READER_FIELDS: Record<string, number> = {
  "BotQuestion.conversation": 1,
  "BotQuestion.logEntries": 20,
  "Conversation.questions": 10,
  "KnowledgeGapExample.question": 1,
};
const READER_COST = 10;

function intArg(node: FieldNode, name: string, variables: Record<string, unknown> | undefined): number | null {
  const arg = node.arguments?.find((a) => a.name.value === name);
  if (!arg) return null;
  const value: ValueNode = arg.value;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables?.[value.name.value];
    return typeof v === "number" ? v : null;
  }
  return null;
}

/** The named type under lists and non-nulls (by shape: see errors.ts on graphql module copies). */
function namedType(type: unknown): string {
  let t = type as { ofType?: unknown; name?: string };
  while (t.ofType) t = t.ofType as { ofType?: unknown; name?: string };
  return String(t.name);
}

function fieldsOf(schema: GraphQLSchema, typeName: string): Record<string, { type: unknown }> | undefined {
  const type = schema.getType(typeName) as { getFields?: () => Record<string, { type: unknown }> } | undefined;
  return typeof type?.getFields === "function" ? type.getFields() : undefined;
}

/**
 * The cost of an operation, page sizes included: every reader call costs 10
 * (root fields, and nested fields that read per parent: a question's
 * conversation or log lines, a conversation's questions), every object
 * returned costs 1, and whatever sits under a connection's edges counts once
 * per row of the page (`first`, 25 when omitted, at most 100). So
 * `conversations(first: 100) { edges { node { questions { logEntries { id } } } } }`
 * (a thousand reader calls) is refused before it runs; a dashboard's
 * queries cost a few hundred.
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | undefined): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    if (def.kind === Kind.OPERATION_DEFINITION && (!operationName || def.name?.value === operationName)) operation ??= def;
  }
  if (!operation) return 0;
  const root = operation.operation === "query" ? schema.getQueryType() : operation.operation === "subscription" ? schema.getSubscriptionType() : schema.getMutationType();
  if (!root) return 0;

  const costOf = (set: SelectionSetNode, typeName: string, pageSize: number, seen: ReadonlySet<string>): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments.get(sel.name.value);
        if (frag && !seen.has(frag.name.value)) total += costOf(frag.selectionSet, frag.typeCondition.name.value, pageSize, new Set([...seen, frag.name.value]));
        continue;
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        total += costOf(sel.selectionSet, sel.typeCondition?.name.value ?? typeName, pageSize, seen);
        continue;
      }
      if (!sel.selectionSet) continue;
      const field = fieldsOf(schema, typeName)?.[sel.name.value];
      if (!field) continue;
      const child = namedType(field.type);
      const key = `${typeName}.${sel.name.value}`;
      if (typeName.endsWith("Connection") && sel.name.value === "edges") {
        total += pageSize * (1 + costOf(sel.selectionSet, child, pageSize, seen));
      } else if (child.endsWith("Connection")) {
        const first = Math.min(Math.max(intArg(sel, "first", variables) ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
        total += (typeName === root.name ? READER_COST : 1) + costOf(sel.selectionSet, child, first, seen);
      } else if (key in READER_FIELDS) {
        total += READER_COST + READER_FIELDS[key]! * (1 + costOf(sel.selectionSet, child, pageSize, seen));
      } else {
        total += (typeName === root.name ? READER_COST : 1) + costOf(sel.selectionSet, child, pageSize, seen);
      }
    }
    return total;
  };
  return costOf(operation.selectionSet, root.name, 1, new Set());
}

/** Refuses operations costing more than maxCost (QUERY_TOO_COSTLY), once variables are known. */
export function costLimitPlugin(maxCost: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const cost = operationCost(args.schema, args.document, args.operationName, args.variableValues ?? undefined);
      if (cost > maxCost) {
        setResultAndStopExecution({
          errors: [createGraphQLError(`the query costs ${cost}, more than the limit of ${maxCost}: ask for smaller pages or fewer nested lists`, {
            extensions: { code: "QUERY_TOO_COSTLY", cost, maxCost },
          })],
        });
      }
    },
  };
}

/** Introspection off in production (the committed schema.graphql is the documentation). */
export const noIntrospectionRule: ValidationRule = (ctx) => ({
  Field(node) {
    if (node.name.value !== "__schema" && node.name.value !== "__type") return;
    ctx.reportError(createGraphQLError("introspection is disabled in production; the schema is in packages/api/schema.graphql", {
      nodes: node,
      extensions: { code: "INTROSPECTION_DISABLED" },
    }));
  },
});
