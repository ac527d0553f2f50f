import { type Checker, join } from "./check.ts";

/** Element types a tensor (feature or model input/output) may have. */
export const DTYPES = ["float32", "float16", "int32", "int16", "int8", "uint8", "uint16", "bool"] as const;
export type Dtype = (typeof DTYPES)[number];

/** Fields every manifest carries, describing the asset to people. */
export type AssetInfo = {
  /** 1 to 200 characters. */
  name: string;
  /** 0 to 20,000 characters. */
  description: string;
  /** SPDX identifier (e.g. "MIT", "CC-BY-4.0"), "proprietary", or a license URL; 1 to 200 characters. */
  license: string;
  /** Who made it: a name, an organisation or an address; 1 to 200 characters. */
  creator: string;
};

export const ASSET_INFO_FIELDS = ["name", "description", "license", "creator"] as const;

export function checkAssetInfo(check: Checker, value: Record<string, unknown>, path: string): void {
  check.string(value.name, join(path, "name"));
  check.string(value.description, join(path, "description"), { min: 0, max: 20_000 });
  check.string(value.license, join(path, "license"));
  check.string(value.creator, join(path, "creator"));
}

/** Builders accept an omitted description. */
export function assetInfo(input: Omit<AssetInfo, "description"> & { description?: string | undefined }): AssetInfo {
  return { name: input.name, description: input.description ?? "", license: input.license, creator: input.creator };
}

/** Every manifest identifies its own schema with this field. */
export type ManifestKind = "dataset" | "model" | "update";
export const MANIFEST_IDS = {
  dataset: "mycelium/dataset@1",
  model: "mycelium/model@1",
  update: "mycelium/update@1",
} as const;
