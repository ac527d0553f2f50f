/**
 * The indexer's HTTP API (served by Ponder next to its own /health, /ready, /status and /metrics):
 * - `POST /graphql`: Ponder's GraphQL over every table of ponder.schema.ts, behind lib/queryGuard.ts and with tighter
 *   depth, token and alias limits than Ponder's defaults. `GET /graphql` serves GraphiQL.
 * - `GET /tx/:hash`: the block of a transaction, from the chain (what `waitForIndexed` compares with /status).
 */
import { Hono } from "hono";
import { graphql } from "ponder";
import { db, publicClients } from "ponder:api";
import schema from "ponder:schema";
import { isHash, TransactionReceiptNotFoundError, type Hash } from "viem";
import { checkGraphQLRequest, DEFAULT_QUERY_GUARD_LIMITS } from "../../lib/queryGuard.ts";

/** Deepest selection nesting: enough for job -> rounds -> items -> reveals -> items -> trainer -> field. */
const MAX_OPERATION_DEPTH = 10;
const MAX_OPERATION_TOKENS = 2_000;
const MAX_OPERATION_ALIASES = 20;

const app = new Hono();

const graphqlHandler = graphql(
  { db, schema },
  {
    maxOperationDepth: MAX_OPERATION_DEPTH,
    maxOperationTokens: MAX_OPERATION_TOKENS,
    maxOperationAliases: MAX_OPERATION_ALIASES,
  },
);

app.use("/graphql", async (c, next) => {
  if (c.req.method === "POST") {
    const declared = Number(c.req.header("content-length") ?? 0);
    if (declared > DEFAULT_QUERY_GUARD_LIMITS.maxBodyBytes) {
      return c.json(
        graphqlError("REQUEST_TOO_LARGE", `The request body is larger than ${DEFAULT_QUERY_GUARD_LIMITS.maxBodyBytes} bytes.`),
        413,
      );
    }
    const verdict = checkGraphQLRequest(await c.req.raw.clone().text());
    if (!verdict.ok) return c.json(graphqlError(verdict.code, verdict.message), verdict.code === "REQUEST_TOO_LARGE" ? 413 : 400);
  }
  return graphqlHandler(c, next);
});

/** Recently resolved receipts: waitForIndexed polls this route, and a receipt never changes once mined. */
const receiptBlocks = new Map<Hash, { blockNumber: string; status: string }>();
const RECEIPT_CACHE_SIZE = 10_000;

app.get("/tx/:hash", async (c) => {
  const hash = c.req.param("hash");
  if (!isHash(hash)) return c.json({ error: "Not a transaction hash (0x and 64 hex digits)." }, 400);
  const key = hash.toLowerCase() as Hash;
  let found = receiptBlocks.get(key);
  if (found === undefined) {
    try {
      const receipt = await publicClients.mycelium.getTransactionReceipt({ hash: key });
      found = { blockNumber: receipt.blockNumber.toString(), status: receipt.status };
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) {
        return c.json({ error: "No receipt for this transaction yet (unknown or pending)." }, 404);
      }
      throw error;
    }
    if (receiptBlocks.size >= RECEIPT_CACHE_SIZE) receiptBlocks.delete(receiptBlocks.keys().next().value!);
    receiptBlocks.set(key, found);
  }
  return c.json({ hash: key, ...found });
});

function graphqlError(code: string, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

export default app;
