/**
 * Test and benchmark helpers around a running indexer. Starting one as a real `ponder start` process is the devkit's
 * startIndexer (the demo uses it too); it is re-exported here.
 */
import { sleep } from "@mycelium/client";
import { tail, type IndexerProcess } from "@mycelium/devkit";

export { freePort, startIndexer, tail } from "@mycelium/devkit";
export type { IndexerLogLine, IndexerProcess, StartIndexerParameters } from "@mycelium/devkit";
export { sleep } from "@mycelium/client";

/** The block the indexer has indexed up to, from its /status route (-1 before the first checkpoint). */
export async function indexedBlock(url: string): Promise<number> {
  const response = await fetch(`${url}/status`);
  if (!response.ok) return -1;
  const status = (await response.json()) as Record<string, { block?: { number: number } }>;
  const chains = Object.values(status);
  return chains[0]?.block?.number ?? -1;
}

/** Waits until the indexer has indexed `block`. */
export async function waitForBlock(indexer: IndexerProcess, block: bigint | number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void indexer.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`The indexer exited while waiting for block ${block}:\n${tail(indexer.logs)}`);
    if ((await indexedBlock(indexer.url).catch(() => -1)) >= Number(block)) return;
    if (Date.now() > deadline) throw new Error(`The indexer did not reach block ${block} in ${timeoutMs} ms:\n${tail(indexer.logs)}`);
    await sleep(50);
  }
}

/** A metric's value from the indexer's Prometheus /metrics (summed over labels), or 0 if absent. */
export async function metric(url: string, name: string): Promise<number> {
  const text = await fetch(`${url}/metrics`).then((response) => response.text());
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

export type GraphQLResponse<data> = { data?: data; errors?: { message: string; extensions?: { code?: string } }[] };

/** POSTs a GraphQL query; returns the whole response (data and errors). */
export async function graphqlRequest<data = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ status: number; body: GraphQLResponse<data> }> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: GraphQLResponse<data>;
  try {
    body = JSON.parse(text) as GraphQLResponse<data>;
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, body };
}

/** POSTs a GraphQL query and returns its data; throws on any error. */
// biome-ignore lint/suspicious/noExplicitAny: tests read the GraphQL answer field by field.
export async function gql<data = Record<string, any>>(url: string, query: string, variables?: Record<string, unknown>): Promise<data> {
  const { body } = await graphqlRequest<data>(url, query, variables);
  if (body.errors !== undefined || body.data === undefined) {
    throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}\nQuery: ${query}`);
  }
  return body.data;
}
