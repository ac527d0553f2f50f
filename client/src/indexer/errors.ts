import { BaseError } from "../errors/base.ts";

/** The indexer could not be reached, or answered with an HTTP error. */
export class IndexerRequestError extends BaseError {
  override name = "IndexerRequestError";
  static override readonly code: string = "INDEXER_REQUEST";
  readonly url: string;
  readonly status: number | undefined;
  constructor(params: { url: string; status?: number | undefined; body?: string | undefined; cause?: unknown }) {
    super(
      params.status === undefined
        ? `The indexer at ${params.url} did not answer.`
        : `The indexer at ${params.url} answered HTTP ${params.status}.`,
      {
        details: params.body === undefined ? undefined : `Response: ${params.body.slice(0, 500)}`,
        hint: "Check that the indexer is running and that the URL points at it (an indexer listens on http://localhost:42069 by default).",
        cause: params.cause,
      },
    );
    this.url = params.url;
    this.status = params.status;
  }
}

/** One error of a GraphQL response. */
export type IndexerGraphQLError = { message: string; extensions?: { code?: string } };

/** The indexer refused or failed a GraphQL query. `graphqlCode` is the first error's code (for example QUERY_TOO_COSTLY). */
export class IndexerQueryError extends BaseError {
  override name = "IndexerQueryError";
  static override readonly code: string = "INDEXER_QUERY";
  readonly errors: IndexerGraphQLError[];
  readonly graphqlCode: string | undefined;
  constructor(errors: IndexerGraphQLError[]) {
    const code = errors[0]?.extensions?.code;
    super(`The indexer refused the query: ${errors[0]?.message ?? "unknown error"}`, {
      details: errors.length > 1 ? errors.map((error) => error.message).join("\n") : undefined,
      hint:
        code === "QUERY_TOO_COSTLY"
          ? "Ask for fewer rows: lower the `limit` of nested lists, or page with the returned cursor."
          : "Check the query against the indexer's schema (GET /graphql opens GraphiQL).",
    });
    this.errors = errors;
    this.graphqlCode = code;
  }
}

/** An indexer operation did not finish in time. */
export class IndexerTimeoutError extends BaseError {
  override name = "IndexerTimeoutError";
  static override readonly code: string = "INDEXER_TIMEOUT";
  readonly timeoutMs: number;
  constructor(operation: string, timeoutMs: number, details?: string) {
    super(`${operation} did not finish within ${timeoutMs} ms.`, {
      details,
      hint: "Check that the indexer is running and following the chain (GET /status), or allow more time with `timeoutMs`.",
    });
    this.timeoutMs = timeoutMs;
  }
}

/** A name filter was asked for without a way to read manifests. */
export class ManifestResolverRequiredError extends BaseError {
  override name = "ManifestResolverRequiredError";
  static override readonly code: string = "MANIFEST_RESOLVER_REQUIRED";
  constructor() {
    super("Searching assets by name needs `resolveManifest`.", {
      details: "Asset names live in the dag-json manifests on IPFS; the indexer stores each asset's manifest CID, not its name.",
      hint: "Pass `resolveManifest: (cid, { signal }) => ...` returning the manifest (for example fetched from IPFS).",
    });
  }
}

/** A query helper was given a parameter it cannot use (a page size below 1, a malformed address). */
export class InvalidIndexerQueryError extends BaseError {
  override name = "InvalidIndexerQueryError";
  static override readonly code: string = "INVALID_INDEXER_QUERY";
  readonly parameter: string;
  constructor(parameter: string, value: unknown, expected: string) {
    super(`Invalid \`${parameter}\`: ${String(value)}.`, { hint: `Pass ${expected}.` });
    this.parameter = parameter;
  }
}
