import type { CID } from "multiformats/cid";
import { toId } from "../chain/args.ts";
import type { AssetKind } from "../chain/assetTypes.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { requireAccount, type TransactionProgressEvent } from "../chain/transaction.ts";
import { throwIfAborted } from "../errors/base.ts";
import { InvalidArgumentError } from "../errors/chain.ts";
import type { ManifestValidationError } from "../errors/manifest.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { storeManifest } from "../manifests/codec.ts";
import { MANIFEST_IDS } from "../manifests/common.ts";
import { buildDatasetManifest, type DatasetManifest } from "../manifests/dataset.ts";
import { buildModelManifest, type ModelManifest } from "../manifests/model.ts";
import { addDatasetDirectory } from "../publishing/dataset.ts";
import { addModelDirectory } from "../publishing/model.ts";
import type { AddProgressEvent } from "../storage/add.ts";
import type { BlockStorage } from "../storage/blocks.ts";
import { getAsset } from "./getAsset.ts";
import { publishAsset, type PublishAssetParameters, type PublishAssetReturnType } from "./publishAsset.ts";

/** Progress of a publication: bytes added, the manifest stored, then the transaction. */
export type PublishProgressEvent = AddProgressEvent | { type: "manifest-stored"; cid: CID } | TransactionProgressEvent;

/** What people read about the asset (the manifest's descriptive fields). */
export type PublishInfo = {
  name: string;
  description?: string | undefined;
  /** SPDX identifier (e.g. "CC-BY-4.0"), "proprietary", or a license URL. */
  license: string;
  /** Default: the publishing account's address. */
  creator?: string | undefined;
};

export type PublishParameters = Pick<PublishAssetParameters, "parents" | "datatoken" | "listing" | "signal"> & {
  /** Where the content and the manifest are stored; a node then serves them (keep it running: `myc serve`). */
  storage: BlockStorage;
  onProgress?: ((event: PublishProgressEvent) => void) | undefined;
} & (
    | {
        kind: AssetKind;
        /**
         * A dataset directory (train/, test/ and optionally validation/ folders of tensor shards, optionally
         * labels.json) or a TF.js layers model directory (model.json and its weight files).
         */
        path: string;
        info: PublishInfo;
        /** Datasets: label names in class order (default labels.json, else "0", "1", ...). */
        labelClasses?: readonly string[] | undefined;
        /** Models: evaluation results, e.g. { accuracy: 0.91 }. */
        metrics?: Record<string, number> | undefined;
        manifest?: never;
      }
    | {
        /** A complete manifest (its content already stored): it is validated, stored and published as is. */
        manifest: DatasetManifest | ModelManifest;
        kind?: never;
        path?: never;
      }
  );

export type PublishReturnType = PublishAssetReturnType & { kind: AssetKind; manifest: DatasetManifest | ModelManifest };

export type PublishErrorType = WriteActionErrorType | ManifestValidationError;

/**
 * Publishes content as an asset in one go: adds the content (dataset shards or a model) to `storage`, builds and
 * stores its manifest, then mints the NFT with its datatoken and listing in one transaction (publishAsset). For a
 * model, `parents` also fill the manifest's lineage: the manifests of dataset parents as `lineage.datasets`, the first
 * model parent's as `lineage.baseModel`. Nothing is sent when the content or the manifest is invalid.
 */
export async function publish(client: MyceliumClient, parameters: PublishParameters): Promise<PublishReturnType> {
  const { storage, signal, onProgress } = parameters;
  const account = requireAccount(client, "Publishing");
  let manifest: DatasetManifest | ModelManifest;
  if (parameters.manifest !== undefined) {
    manifest = parameters.manifest;
  } else {
    const info = { ...parameters.info, creator: parameters.info.creator ?? account.address };
    if (parameters.kind === "dataset") {
      const content = await addDatasetDirectory(storage, {
        directory: parameters.path,
        labelClasses: parameters.labelClasses,
        signal,
        onProgress,
      });
      manifest = buildDatasetManifest({ ...info, ...content });
    } else if (parameters.kind === "model") {
      const { model, inputs, outputs } = await addModelDirectory(storage, { directory: parameters.path, signal, onProgress });
      manifest = buildModelManifest({
        ...info,
        model,
        inputs,
        outputs,
        metrics: parameters.metrics,
        lineage: await lineageOf(client, parameters.parents ?? []),
      });
    } else {
      throw new InvalidArgumentError({ parameter: "kind", value: parameters.kind, expected: "dataset or model" });
    }
  }
  const kind = assetKindOfManifest(manifest);
  if (kind === undefined) {
    throw new InvalidArgumentError({
      parameter: "manifest",
      value: String((manifest as { manifest?: unknown }).manifest),
      expected: `a ${MANIFEST_IDS.dataset} or ${MANIFEST_IDS.model} manifest`,
    });
  }
  throwIfAborted(signal, "Publishing");
  const manifestCid = await storeManifest(storage, manifest, signal ? { signal } : {});
  onProgress?.({ type: "manifest-stored", cid: manifestCid });
  const published = await publishAsset(client, {
    kind,
    manifestCid,
    parents: parameters.parents,
    datatoken: parameters.datatoken,
    listing: parameters.listing,
    signal,
    onProgress,
  });
  return { ...published, kind, manifest };
}

/** The asset kind a manifest describes: "dataset", "model", or undefined for other records (updates are not assets). */
export function assetKindOfManifest(manifest: { manifest?: unknown }): AssetKind | undefined {
  return manifest.manifest === MANIFEST_IDS.dataset ? "dataset" : manifest.manifest === MANIFEST_IDS.model ? "model" : undefined;
}

/** A model's lineage from its asset parents: their manifests, read from the registry. */
async function lineageOf(client: MyceliumClient, parents: readonly (bigint | number)[]) {
  const assets = await Promise.all(parents.map((parent, index) => getAsset(client, { assetId: toId(parent, `parents[${index}]`) })));
  const models = assets.filter((asset) => asset.kind === "model");
  return {
    datasets: assets.filter((asset) => asset.kind === "dataset").map((asset) => asset.manifestCid),
    baseModel: models[0]?.manifestCid ?? null,
  };
}
