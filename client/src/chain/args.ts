/**
 * Checks of action parameters, shared by every action, so a bad id or address fails with InvalidArgumentError before
 * any RPC call instead of with an encoder error from deep inside viem.
 */
import { getAddress, isAddress, isHex, maxUint256, type Address, type Hex } from "viem";
import { InvalidArgumentError } from "../errors/chain.ts";

/** A non-negative integer id (asset, job, round) as a bigint. */
export function toId(value: bigint | number, parameter: string): bigint {
  if (typeof value === "bigint" && value >= 0n) return value;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw new InvalidArgumentError({ parameter, value, expected: "a non-negative integer" });
}

/** An unsigned integer of at most `bits` bits. */
export function toUint(value: bigint | number, parameter: string, bits = 256): bigint {
  const id = toId(value, parameter);
  const max = bits === 256 ? maxUint256 : (1n << BigInt(bits)) - 1n;
  if (id > max) throw new InvalidArgumentError({ parameter, value, expected: `an integer between 0 and ${max}` });
  return id;
}

/** A checksummed address; InvalidArgumentError for anything that is not a 20-byte hex address. */
export function toAddress(value: string, parameter: string): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) {
    throw new InvalidArgumentError({ parameter, value, expected: "a 20-byte hex address (0x followed by 40 hex digits)" });
  }
  return getAddress(value);
}

/** 32 bytes of hex (a salt, a seed); InvalidArgumentError for anything else. */
export function toBytes32(value: Hex, parameter: string): Hex {
  if (typeof value !== "string" || !isHex(value, { strict: true }) || value.length !== 66)
    throw new InvalidArgumentError({ parameter, value, expected: "32 bytes of hex (0x + 64 digits)" });
  return value;
}
