/**
 * A small GraphQL client for the Mycelium indexer (the Ponder app in indexer/): one `fetch` per query, typed errors,
 * AbortSignal and a per-request timeout. The query helpers in this folder take it as their first argument.
 */
import { AbortedError } from "../errors/base.ts";
import { IndexerQueryError, IndexerRequestError, IndexerTimeoutError, type IndexerGraphQLError } from "./errors.ts";
import { pageSize, toPage, type IndexerPage, type PageParameters } from "./types.ts";

export type IndexerClient = {
  /** Base URL of the indexer, without `/graphql` (for example `http://localhost:42069`). */
  readonly url: string;
  /** Longest time one request may take. */
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
};

export type CreateIndexerClientParameters = {
  url: string;
  /** Default 10,000 ms. */
  timeoutMs?: number;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
};

export function createIndexerClient(parameters: CreateIndexerClientParameters): IndexerClient {
  return {
    url: parameters.url.replace(/\/+$/, "").replace(/\/graphql$/, ""),
    timeoutMs: parameters.timeoutMs ?? 10_000,
    fetch: parameters.fetch ?? globalThis.fetch,
  };
}

export type IndexerRequestOptions = { signal?: AbortSignal | undefined };

/** Runs a GraphQL query; returns `data` or throws IndexerQueryError, IndexerRequestError, IndexerTimeoutError. */
export async function queryIndexer<data>(
  client: IndexerClient,
  query: string,
  variables: Record<string, unknown> = {},
  options: IndexerRequestOptions = {},
): Promise<data> {
  const response = await requestIndexer(client, "/graphql", options, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: { data?: data; errors?: IndexerGraphQLError[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch (cause) {
    throw new IndexerRequestError({ url: client.url, status: response.status, body: text, cause });
  }
  if (body.errors !== undefined && body.errors.length > 0) throw new IndexerQueryError(body.errors);
  if (!response.ok || body.data === undefined) throw new IndexerRequestError({ url: client.url, status: response.status, body: text });
  return body.data;
}

/** One HTTP request to the indexer with the client's timeout and the caller's signal. */
export async function requestIndexer(
  client: IndexerClient,
  path: string,
  options: IndexerRequestOptions,
  init: RequestInit = {},
): Promise<Response> {
  const operation = `${init.method ?? "GET"} ${path}`;
  if (options.signal?.aborted) throw new AbortedError(`The indexer request ${operation}`, { cause: options.signal.reason });
  const timeout = AbortSignal.timeout(client.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  try {
    return await client.fetch(`${client.url}${path}`, { ...init, signal });
  } catch (cause) {
    if (options.signal?.aborted) throw new AbortedError(`The indexer request ${operation}`, { cause: options.signal.reason });
    if (timeout.aborted) throw new IndexerTimeoutError(`The indexer request ${operation}`, client.timeoutMs);
    throw new IndexerRequestError({ url: client.url, cause });
  }
}

/** What a list helper asks for: which list, its filter, its fields, its order and page size. */
export type PageQuery = {
  /** The plural field (`assets`, `orders`, ...). */
  list: string;
  /** GraphQL type of its filter (`assetFilter`, ...). */
  filterType: string;
  where: Record<string, unknown>;
  fields: string;
  orderBy: string;
  defaultDirection: "asc" | "desc";
  defaultLimit: number;
  maxLimit: number;
};

/** One page of a list, parsed. */
export async function queryPage<item>(
  client: IndexerClient,
  query: PageQuery,
  page: PageParameters & IndexerRequestOptions,
  // biome-ignore lint/suspicious/noExplicitAny: a row of the indexer's GraphQL, untyped JSON that `parse` reads.
  parse: (row: Record<string, any>) => item,
): Promise<IndexerPage<item>> {
  // biome-ignore lint/suspicious/noExplicitAny: the list's name is a parameter, so the answer's shape is only known to `parse`.
  const data = await queryIndexer<Record<string, any>>(
    client,
    `query ($where: ${query.filterType}, $limit: Int, $after: String, $direction: String) {
      ${query.list}(where: $where, orderBy: "${query.orderBy}", orderDirection: $direction, limit: $limit, after: $after) {
        items { ${query.fields} } pageInfo { hasNextPage endCursor } } }`,
    {
      where: query.where,
      limit: pageSize(page.limit, query.defaultLimit, query.maxLimit),
      after: page.after ?? null,
      direction: page.orderDirection ?? query.defaultDirection,
    },
    page,
  );
  return toPage(data[query.list], parse);
}
