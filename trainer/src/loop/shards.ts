/**
 * The dataset's tensor shards (`mycelium/tensor-shards@1`) as a trainer uses them: fetched (every block verified
 * against its CID) and decoded on first use, then kept in memory.
 */
import type { CID } from "multiformats/cid";
import {
  concatDatasets,
  decodeTensorShard,
  fetchBytes,
  InvalidDatasetError,
  type BlockProgressEvent,
  type BlockStorage,
  type DatasetManifest,
  type TensorDataset,
} from "@mycelium/client";

type Signal = { signal?: AbortSignal | undefined };

/** Where the blocks of a read came from: counts per source ("local", "gateway http://…", "bitswap"). */
export type BlockSources = Record<string, number>;

/**
 * The shards of one split of a dataset, fetched (every block verified) and decoded on first use, then kept in memory.
 * Their blocks stay in the node's blockstore, so other trainers can fetch them from this one.
 */
export class ShardCache {
  private readonly decoded = new Map<number, Promise<TensorDataset>>();

  constructor(
    private readonly storage: BlockStorage,
    readonly manifest: DatasetManifest,
    readonly split: string,
  ) {
    if (this.shards.length === 0)
      throw new InvalidDatasetError({
        field: `splits.${split}`,
        expected: "a split with shards (named by the job spec)",
        found: "no such split",
      });
  }

  get shards(): readonly { cid: CID; samples: number; bytes: number }[] {
    return (this.manifest.splits as Record<string, { cid: CID; samples: number; bytes: number }[] | undefined>)[this.split] ?? [];
  }

  /** The shards at `indices`, concatenated in the order given. */
  async load(indices: readonly number[], options: Signal & { sources?: BlockSources } = {}): Promise<TensorDataset> {
    const parts = await Promise.all(indices.map((index) => this.shard(index, options)));
    return parts.length === 1 ? parts[0]! : concatDatasets(parts);
  }

  private shard(index: number, options: Signal & { sources?: BlockSources }): Promise<TensorDataset> {
    let entry = this.decoded.get(index);
    if (!entry) {
      const ref = this.shards[index];
      if (!ref)
        throw new InvalidDatasetError({
          field: `splits.${this.split}[${index}]`,
          expected: `a shard index below ${this.shards.length}`,
          found: String(index),
        });
      const sources = options.sources;
      entry = fetchBytes(this.storage, ref.cid, {
        signal: options.signal,
        onProgress: sources && ((event) => event.type === "block" && countSource(sources, event)),
      }).then((bytes) => {
        const shard = decodeTensorShard(bytes);
        if (shard.count !== ref.samples) {
          throw new InvalidDatasetError({
            field: `shard ${ref.cid}`,
            expected: `${ref.samples} samples, as the dataset manifest says`,
            found: `${shard.count} samples`,
          });
        }
        return shard;
      });
      // A failed fetch is not cached: the next round tries again (maybe from another peer).
      entry.catch(() => this.decoded.delete(index));
      this.decoded.set(index, entry);
    }
    return entry;
  }
}

function countSource(sources: BlockSources, event: BlockProgressEvent): void {
  const key = event.source === "gateway" && event.from ? `gateway ${event.from}` : event.source;
  sources[key] = (sources[key] ?? 0) + 1;
}
