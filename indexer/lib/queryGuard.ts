/**
 * Rejects GraphQL requests that would make the server do far more work than a dApp needs, before they reach Ponder.
 *
 * Ponder's own `graphql()` middleware already limits a page to 1,000 rows and, with the options src/api/index.ts gives
 * it, the depth, token count and aliases of an operation. What it does not bound is the product of nested pages:
 * `assets(limit: 1000) { items { orders(limit: 1000) { ... } } }` asks for a million rows within every other limit.
 * This guard estimates the rows an operation may return (each page's limit, default 50, times the pages above it,
 * summed over the operation) and refuses operations above `maxRows`; it also bounds `offset` (large offsets make the
 * database scan and drop rows) and the size of the request body.
 */
import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from "graphql";

export type QueryGuardLimits = {
  /** Largest estimated number of rows one operation may return. */
  maxRows: number;
  /** Largest `offset` argument. */
  maxOffset: number;
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
};

export const DEFAULT_QUERY_GUARD_LIMITS: QueryGuardLimits = {
  maxRows: 10_000,
  maxOffset: 10_000,
  maxBodyBytes: 64 * 1024,
};

/** Ponder's page size when a query gives no `limit`. */
const PONDER_DEFAULT_LIMIT = 50;

export type QueryGuardVerdict = { ok: true; estimatedRows: number } | { ok: false; message: string; code: string };

type GraphQLRequestBody = { query?: unknown; variables?: unknown; operationName?: unknown };

/** Checks one GraphQL-over-HTTP request body (the raw text of a POST). */
export function checkGraphQLRequest(body: string, limits: QueryGuardLimits = DEFAULT_QUERY_GUARD_LIMITS): QueryGuardVerdict {
  if (Buffer.byteLength(body) > limits.maxBodyBytes) {
    return {
      ok: false,
      code: "REQUEST_TOO_LARGE",
      message: `The request body is larger than ${limits.maxBodyBytes} bytes. Send a smaller query.`,
    };
  }
  let request: GraphQLRequestBody;
  try {
    request = JSON.parse(body) as GraphQLRequestBody;
  } catch {
    return { ok: false, code: "BAD_REQUEST", message: 'The request body is not JSON. Send { "query": "..." }.' };
  }
  if (typeof request !== "object" || request === null || typeof request.query !== "string") {
    return { ok: false, code: "BAD_REQUEST", message: 'The request body has no "query" string.' };
  }
  let document: DocumentNode;
  try {
    document = parse(request.query, { maxTokens: 5_000 });
  } catch {
    // Let Ponder's GraphQL server report the syntax error with its location.
    return { ok: true, estimatedRows: 0 };
  }
  const variables =
    typeof request.variables === "object" && request.variables !== null ? (request.variables as Record<string, unknown>) : {};
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }

  let estimatedRows = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (typeof request.operationName === "string" && definition.name?.value !== request.operationName) continue;
    const result = estimate(definition.selectionSet, 1, { variables, fragments, limits, visiting: new Set() });
    if (typeof result === "string") return { ok: false, code: "QUERY_TOO_COSTLY", message: result };
    estimatedRows = Math.max(estimatedRows, result);
  }
  if (estimatedRows > limits.maxRows) {
    return {
      ok: false,
      code: "QUERY_TOO_COSTLY",
      message:
        `The query may return about ${estimatedRows} rows (nested page limits multiply); the limit is ${limits.maxRows}. ` +
        "Lower the `limit` of nested lists, or paginate with `after` cursors.",
    };
  }
  return { ok: true, estimatedRows };
}

type EstimateContext = {
  variables: Record<string, unknown>;
  fragments: Map<string, FragmentDefinitionNode>;
  limits: QueryGuardLimits;
  visiting: Set<string>;
};

/**
 * Rows a selection set may return when it is evaluated `multiplier` times; a string is a refusal. A page field (one
 * that selects `items`) evaluates its `items` `limit` times per evaluation of the page.
 */
function estimate(selectionSet: SelectionSetNode, multiplier: number, context: EstimateContext): number | string {
  let rows = 0;
  for (const selection of selectionSet.selections) {
    let result: number | string;
    if (selection.kind === Kind.FIELD) {
      if (selection.selectionSet === undefined) continue;
      const isPage = selection.selectionSet.selections.some((child) => child.kind === Kind.FIELD && child.name.value === "items");
      let itemMultiplier = multiplier;
      if (isPage) {
        let limit = PONDER_DEFAULT_LIMIT;
        for (const argument of selection.arguments ?? []) {
          const value = argumentValue(argument.value, context.variables);
          if (argument.name.value === "limit" && typeof value === "number") limit = Math.max(value, 0);
          if (argument.name.value === "offset" && typeof value === "number" && value > context.limits.maxOffset) {
            return `The offset ${value} is larger than ${context.limits.maxOffset}. Paginate with \`after\` cursors instead.`;
          }
        }
        itemMultiplier = multiplier * limit;
      }
      rows += multiplier;
      result = 0;
      for (const child of selection.selectionSet.selections) {
        const childIsItems = isPage && child.kind === Kind.FIELD && child.name.value === "items";
        const childResult = estimate(
          { kind: Kind.SELECTION_SET, selections: [child] },
          childIsItems ? itemMultiplier : multiplier,
          context,
        );
        if (typeof childResult === "string") return childResult;
        result += childResult;
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      result = estimate(selection.selectionSet, multiplier, context);
    } else {
      const name = selection.name.value;
      const fragment = context.fragments.get(name);
      // Unknown or cyclic fragments are reported by the GraphQL validator.
      if (fragment === undefined || context.visiting.has(name)) continue;
      context.visiting.add(name);
      result = estimate(fragment.selectionSet, multiplier, context);
      context.visiting.delete(name);
    }
    if (typeof result === "string") return result;
    rows += result;
    // Stop early: the total only grows.
    if (rows > context.limits.maxRows * 1_000) return rows;
  }
  return rows;
}

function argumentValue(value: ValueNode, variables: Record<string, unknown>): unknown {
  switch (value.kind) {
    case Kind.INT:
      return Number(value.value);
    case Kind.VARIABLE:
      return variables[value.name.value];
    default:
      return undefined;
  }
}
