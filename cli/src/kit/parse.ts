/** Parsing of command-line values into what the actions take; InvalidArgumentError (exit 3) for anything else. */
import { parseUnits } from "viem";
import { InvalidArgumentError, toAddress } from "@mycelium/client";

/** A whole-number id such as an asset or job id. */
export function parseId(value: string, what: string): bigint {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError({ parameter: what, value, expected: "a whole number such as 7" });
  return BigInt(value.trim());
}

/** A positive whole count. */
export function parseCount(value: string, what: string): bigint {
  const count = parseId(value, what);
  if (count === 0n) throw new InvalidArgumentError({ parameter: what, value, expected: "a whole number of at least 1" });
  return count;
}

/** A decimal amount in a token's units (`2.5` with 6 decimals is 2_500_000n). */
export function parseAmount(value: string, decimals: number, what: string): bigint {
  const trimmed = value.trim();
  const fraction = trimmed.split(".")[1] ?? "";
  if (!/^\d+(\.\d+)?$/.test(trimmed) || fraction.length > decimals) {
    throw new InvalidArgumentError({
      parameter: what,
      value,
      expected: `a non-negative decimal number with at most ${decimals} decimals, such as 2.5`,
    });
  }
  return parseUnits(trimmed, decimals);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/** A duration in seconds: `3600`, `90m`, `12h`, `30d`, `2w`, or `unlimited` (0). */
export function parseDuration(value: string, what: string): bigint {
  const trimmed = value.trim().toLowerCase();
  if (trimmed === "unlimited" || trimmed === "0") return 0n;
  const match = /^(\d+)([smhdw]?)$/.exec(trimmed);
  if (!match)
    throw new InvalidArgumentError({ parameter: what, value, expected: "a duration such as 3600, 90m, 12h, 30d, 2w or unlimited" });
  return BigInt(match[1]!) * BigInt(DURATION_UNITS[match[2] || "s"]!);
}

/** A basis-point fee (0 to 10,000). */
export function parseBps(value: string, what: string): number {
  const bps = Number(parseId(value, what));
  if (bps > 10_000) throw new InvalidArgumentError({ parameter: what, value, expected: "basis points between 0 and 10000 (100 = 1%)" });
  return bps;
}

/** An address option. */
export function parseAddress(value: string, what: string) {
  return toAddress(value.trim(), what);
}

/** One of a fixed set of words. */
export function parseChoice<const T extends readonly string[]>(value: string, allowed: T, what: string): T[number] {
  if (!(allowed as readonly string[]).includes(value))
    throw new InvalidArgumentError({ parameter: what, value, expected: `one of ${allowed.join(", ")}` });
  return value as T[number];
}
