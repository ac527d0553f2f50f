import type { CID } from "multiformats/cid";
import { ManifestValidationError } from "../errors/manifest.ts";
import { toCid } from "../storage/cid.ts";
import type { CidLike } from "../storage/cid.ts";
import { Checker, join } from "./check.ts";
import { ASSET_INFO_FIELDS, DTYPES, MANIFEST_IDS, assetInfo, checkAssetInfo } from "./common.ts";
import type { AssetInfo, Dtype } from "./common.ts";

/** One shard of a split: a UnixFS file, how many samples it holds and its size in bytes. */
export type ShardRef = { cid: CID; samples: number; bytes: number };

/**
 * A dataset manifest (dag-json, `manifest: "mycelium/dataset@1"`). Example (links shown as dag-json writes them):
 *
 * ```json
 * { "manifest": "mycelium/dataset@1", "name": "Fashion-MNIST", "description": "...", "license": "MIT",
 *   "creator": "Zalando Research", "format": "mycelium/tensor-shards@1",
 *   "schema": { "featureShape": [28, 28], "dtype": "uint8", "labelClasses": ["T-shirt/top", "Trouser", ...] },
 *   "splits": { "train": [{ "cid": { "/": "bafy..." }, "samples": 10000, "bytes": 7850000 }, ...], "test": [...] } }
 * ```
 */
export type DatasetManifest = AssetInfo & {
  manifest: typeof MANIFEST_IDS.dataset;
  /** Encoding of the shards, e.g. "mycelium/tensor-shards@1": `<namespace>/<name>@<major version>`. */
  format: string;
  schema: {
    /** Shape of one sample's features, without the batch dimension (e.g. [28, 28]); [] for a scalar. */
    featureShape: number[];
    dtype: Dtype;
    /** Label names in label-index order; empty for an unlabeled dataset. */
    labelClasses: string[];
  };
  splits: { train: ShardRef[]; test: ShardRef[]; validation?: ShardRef[] };
};

export type ShardRefInput = { cid: CidLike; samples: number; bytes: number };

export type DatasetManifestInput = Omit<AssetInfo, "description"> & {
  description?: string;
  format: string;
  schema: DatasetManifest["schema"];
  splits: { train: ShardRefInput[]; test: ShardRefInput[]; validation?: ShardRefInput[] | undefined };
};

const FORMAT_ID = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*@[0-9]+$/;

/** Builds a dataset manifest from plain input (CID strings accepted) and validates it; throws ManifestValidationError. */
export function buildDatasetManifest(input: DatasetManifestInput): DatasetManifest {
  const shards = (list: ShardRefInput[]) => list.map((s) => ({ cid: toCid(s.cid), samples: s.samples, bytes: s.bytes }));
  const manifest: DatasetManifest = {
    manifest: MANIFEST_IDS.dataset,
    ...assetInfo(input),
    format: input.format,
    schema: { featureShape: [...input.schema.featureShape], dtype: input.schema.dtype, labelClasses: [...input.schema.labelClasses] },
    splits: {
      train: shards(input.splits.train),
      test: shards(input.splits.test),
      ...(input.splits.validation ? { validation: shards(input.splits.validation) } : {}),
    },
  };
  return validateDatasetManifest(manifest);
}

/** Checks that `value` is a dataset manifest and returns it typed; throws ManifestValidationError listing every problem. */
export function validateDatasetManifest(value: unknown, context: { cid?: string } = {}): DatasetManifest {
  const check = new Checker();
  checkDataset(check, value);
  if (check.issues.length > 0) throw new ManifestValidationError({ kind: "dataset", issues: check.issues, cid: context.cid });
  return value as DatasetManifest;
}

function checkDataset(check: Checker, value: unknown): void {
  if (!check.object(value, "", ["manifest", ...ASSET_INFO_FIELDS, "format", "schema", "splits"])) return;
  check.literal(value.manifest, "manifest", MANIFEST_IDS.dataset);
  checkAssetInfo(check, value, "");
  if (check.string(value.format, "format") && !FORMAT_ID.test(value.format))
    check.fail("format", "a format id like mycelium/tensor-shards@1", value.format);
  const schema = value.schema;
  if (check.object(schema, "schema", ["featureShape", "dtype", "labelClasses"])) {
    if (check.array(schema.featureShape, "schema.featureShape", 0, 8))
      schema.featureShape.forEach((d, i) => {
        check.integer(d, join("schema.featureShape", i), 1);
      });
    check.oneOf(schema.dtype, "schema.dtype", DTYPES);
    if (check.array(schema.labelClasses, "schema.labelClasses", 0, 100_000)) {
      const seen = new Set<string>();
      schema.labelClasses.forEach((label, i) => {
        const path = join("schema.labelClasses", i);
        if (!check.string(label, path)) return;
        if (seen.has(label)) check.fail(path, "a label not listed before", label);
        seen.add(label);
      });
    }
  }
  if (check.object(value.splits, "splits", ["train", "test"], ["validation"])) {
    for (const split of ["train", "test", "validation"] as const) {
      const list = value.splits[split];
      if (list === undefined) continue;
      const path = join("splits", split);
      if (!check.array(list, path, 1)) continue;
      list.forEach((shard, i) => {
        const at = join(path, i);
        if (!check.object(shard, at, ["cid", "samples", "bytes"])) return;
        check.cid(shard.cid, join(at, "cid"));
        check.integer(shard.samples, join(at, "samples"), 1);
        check.integer(shard.bytes, join(at, "bytes"), 1);
      });
    }
  }
}
