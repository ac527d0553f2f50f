import { BaseError } from "./base.ts";

/**
 * Typed errors of the IPFS storage layer (client/src/storage). Each names the CID or path involved and says what to
 * do next.
 */

/** Where a block came from: this node's disk, a peer's HTTP trustless gateway, or bitswap. */
export type BlockSource = "local" | "gateway" | "bitswap";

/** Thrown when the bytes of a block do not hash to its CID. The bytes are never returned, stored or yielded. */
export class BlockVerificationError extends BaseError {
  override name = "BlockVerificationError";
  static override readonly code: string = "BLOCK_VERIFICATION";
  readonly cid: string;
  readonly source: BlockSource | "car" | "input";
  readonly from: string | undefined;

  constructor(params: { cid: string; source: BlockSource | "car" | "input"; from?: string | undefined; expected: string; found: string }) {
    const where = params.from ? `${params.source} ${params.from}` : params.source;
    super(`Block ${params.cid} from ${where} does not match its CID.`, {
      details: `expected multihash digest ${params.expected}, found ${params.found}`,
      hint:
        params.source === "local"
          ? "The copy on this node's disk is corrupt; it was deleted. Fetch the content again from a peer that has it."
          : "The provider sent different bytes than the CID names. Fetch from another peer; do not trust this one.",
    });
    this.cid = params.cid;
    this.source = params.source;
    this.from = params.from;
  }
}

/** Thrown when a block could not be found locally, on any peer's gateway, or through bitswap before the timeout. */
export class BlockNotFoundError extends BaseError {
  override name = "BlockNotFoundError";
  static override readonly code: string = "BLOCK_NOT_FOUND";
  readonly cid: string;

  constructor(params: { cid: string; tried: string[]; timeoutMs?: number | undefined; cause?: unknown }) {
    super(`Block ${params.cid} could not be found.`, {
      details: `tried: ${params.tried.join(", ") || "nothing"}${params.timeoutMs ? `; gave up after ${params.timeoutMs} ms` : ""}`,
      hint:
        "Dial a peer that holds this content (createStorageNode({ peers }) or node.dial(address)), " +
        "or import a CAR file that contains it.",
      cause: params.cause,
    });
    this.cid = params.cid;
  }
}

/** Thrown when content uses a hash function or codec this client cannot verify or traverse. */
export class UnsupportedContentError extends BaseError {
  override name = "UnsupportedContentError";
  static override readonly code: string = "UNSUPPORTED_CONTENT";
  readonly cid: string;

  constructor(params: { cid: string; what: string; supported: string }) {
    super(`Content ${params.cid} uses an unsupported ${params.what}.`, {
      details: `supported: ${params.supported}`,
      hint: "Re-add the content with this client (CIDv1, sha2-256, UnixFS with raw leaves, dag-json for records).",
    });
    this.cid = params.cid;
  }
}

/** Thrown when the bytes behind a CID are not what the operation needs (e.g. a directory where a file was asked for). */
export class InvalidContentError extends BaseError {
  override name = "InvalidContentError";
  static override readonly code: string = "INVALID_CONTENT";
  readonly cid: string;

  constructor(params: { cid: string; expected: string; found: string; hint?: string; cause?: unknown }) {
    super(`Content ${params.cid} is not ${params.expected}.`, {
      details: `found ${params.found}`,
      hint: params.hint ?? "Check the CID: it may name a different kind of content.",
      cause: params.cause,
    });
    this.cid = params.cid;
  }
}

/** Thrown when a path inside a UnixFS directory does not exist. */
export class PathNotFoundError extends BaseError {
  override name = "PathNotFoundError";
  static override readonly code: string = "PATH_NOT_FOUND";
  readonly cid: string;
  readonly path: string;

  constructor(params: { cid: string; path: string; cause?: unknown }) {
    super(`Path "${params.path}" does not exist under ${params.cid}.`, {
      hint: "List the directory (listDirectory) to see the names it holds.",
      cause: params.cause,
    });
    this.cid = params.cid;
    this.path = params.path;
  }
}

/** Thrown when a string is not a CID. */
export class InvalidCidError extends BaseError {
  override name = "InvalidCidError";
  static override readonly code: string = "INVALID_CID";
  readonly value: string;

  constructor(params: { value: string; cause?: unknown }) {
    super(`"${params.value}" is not a valid CID.`, {
      hint: "Pass a CIDv1 string such as bafybei... (base32) or a CID object.",
      cause: params.cause,
    });
    this.value = params.value;
  }
}

/** Thrown when a CAR file is malformed or does not contain every block reachable from its roots. */
export class CarError extends BaseError {
  override name = "CarError";
  static override readonly code: string = "CAR";

  constructor(shortMessage: string, params: { details?: string; hint?: string; cause?: unknown } = {}) {
    super(shortMessage, {
      details: params.details,
      hint: params.hint ?? "Export the CAR again from a node that holds the complete content.",
      cause: params.cause,
    });
  }
}

/** Thrown when a storage node cannot be created, started or dialed. */
export class StorageNodeError extends BaseError {
  override name = "StorageNodeError";
  static override readonly code: string = "STORAGE_NODE";

  constructor(shortMessage: string, params: { details?: string; hint?: string; cause?: unknown } = {}) {
    super(shortMessage, params);
  }
}

/** Thrown when an argument is out of range (shard size, concurrency, ...). */
export class InvalidStorageParameterError extends BaseError {
  override name = "InvalidStorageParameterError";
  static override readonly code: string = "INVALID_STORAGE_PARAMETER";
  readonly parameter: string;

  constructor(params: { parameter: string; expected: string; found: string }) {
    super(`Invalid ${params.parameter}: expected ${params.expected}, found ${params.found}.`);
    this.parameter = params.parameter;
  }
}

/** Thrown when a TF.js model cannot be saved to or loaded from IPFS. */
export class ModelStorageError extends BaseError {
  override name = "ModelStorageError";
  static override readonly code: string = "MODEL_STORAGE";

  constructor(shortMessage: string, params: { details?: string; hint?: string; cause?: unknown } = {}) {
    super(shortMessage, params);
  }
}

/** Thrown when a peer's HTTP gateway answers with an error or cannot be reached. */
export class GatewayError extends BaseError {
  override name = "GatewayError";
  static override readonly code: string = "GATEWAY";
  readonly url: string;
  readonly status: number | undefined;

  constructor(params: { url: string; status?: number | undefined; details?: string; cause?: unknown }) {
    super(`Gateway request ${params.url} failed${params.status ? ` with HTTP ${params.status}` : ""}.`, {
      details: params.details,
      hint: "The block is fetched from another peer or over bitswap instead; check the peer's gateway if this repeats.",
      cause: params.cause,
    });
    this.url = params.url;
    this.status = params.status;
  }
}
