/**
 * The registry's enums (contracts/types/Asset.sol) as names. The ordinals are the contract's; new kinds and states are
 * appended there, never reordered, so these arrays only grow.
 */
import { InvalidArgumentError } from "../errors/chain.ts";

export const ASSET_KINDS = ["dataset", "model"] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

export const ASSET_STATES = ["active", "deprecated", "revoked"] as const;
export type AssetState = (typeof ASSET_STATES)[number];

/** The name of an `AssetKind` ordinal ("unknown(<n>)" for an ordinal added to the contract after this client). */
export function assetKindName(ordinal: number | bigint): AssetKind | `unknown(${number})` {
  return ASSET_KINDS[Number(ordinal)] ?? `unknown(${Number(ordinal)})`;
}

/** The name of an `AssetState` ordinal ("unknown(<n>)" for an ordinal added to the contract after this client). */
export function assetStateName(ordinal: number | bigint): AssetState | `unknown(${number})` {
  return ASSET_STATES[Number(ordinal)] ?? `unknown(${Number(ordinal)})`;
}

/** The contract ordinal of a kind name; throws InvalidArgumentError for anything else. */
export function assetKindOrdinal(kind: AssetKind): number {
  const ordinal = ASSET_KINDS.indexOf(kind);
  if (ordinal < 0) throw new InvalidArgumentError({ parameter: "asset kind", value: kind, expected: `one of ${ASSET_KINDS.join(", ")}` });
  return ordinal;
}

/** The contract ordinal of a state name; throws InvalidArgumentError for anything else. */
export function assetStateOrdinal(state: AssetState): number {
  const ordinal = ASSET_STATES.indexOf(state);
  if (ordinal < 0)
    throw new InvalidArgumentError({ parameter: "asset state", value: state, expected: `one of ${ASSET_STATES.join(", ")}` });
  return ordinal;
}
