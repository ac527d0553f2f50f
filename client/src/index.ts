export { AbortedError, BaseError, throwIfAborted } from "./errors/base.ts";
export type { BaseErrorParameters, BaseErrorType } from "./errors/base.ts";

// Storage (IPFS on Helia)
export {
  BlockNotFoundError,
  BlockVerificationError,
  CarError,
  GatewayError,
  InvalidCidError,
  InvalidContentError,
  InvalidStorageParameterError,
  ModelStorageError,
  PathNotFoundError,
  StorageNodeError,
  UnsupportedContentError,
} from "./errors/storage.ts";
export type { BlockSource } from "./errors/storage.ts";
export { createStorageNode } from "./storage/node.ts";
export type { StorageNetwork, StorageNode, StorageNodeOptions } from "./storage/node.ts";
export { isVerifyingBlockstore, verifiedBlocks, verifiedGetter } from "./storage/blocks.ts";
export type { BlockGetOptions, BlockProgressEvent, BlockStorage, VerifiedBlockGetter, VerifyingBlockstore } from "./storage/blocks.ts";
export { toCid } from "./storage/cid.ts";
export type { CidLike } from "./storage/cid.ts";
export { UNIXFS_CHUNK_BYTES, UNIXFS_MAX_LINKS, addBytes, addDirectory, addDirectoryEntries, addFile } from "./storage/add.ts";
export type { AddOptions, AddProgressEvent, ByteSource, DirectoryEntryInput } from "./storage/add.ts";
export { fetchBytes, fetchToPath, listDirectory, readBytes, resolvePath, statContent } from "./storage/read.ts";
export type { ContentStat, DirectoryEntry, FetchToPathOptions, ReadOptions, ReadProgressEvent } from "./storage/read.ts";
export { exportCar, exportCarFile, importCar, importCarFile } from "./storage/car.ts";
export type { CarOptions, CarProgressEvent, ImportCarOptions, ImportCarResult } from "./storage/car.ts";
export { startGatewayServer } from "./storage/gateway-server.ts";
export type { GatewayServer, GatewayServerOptions } from "./storage/gateway-server.ts";
export { closeGatewayConnections } from "./storage/gateway-client.ts";
export { verifyBlock } from "./storage/verify.ts";
