import { CID } from "multiformats/cid";
import { getAddress, isAddress } from "viem";
import type { ManifestIssue } from "../errors/manifest.ts";

/**
 * Collects every problem of a value against a schema, each with its path, what was expected and what was found.
 * The manifest validators are written with it; they check everything and report all issues at once.
 */
export class Checker {
  readonly issues: ManifestIssue[] = [];

  fail(path: string, expected: string, value: unknown): false {
    this.issues.push({ path, expected, found: describe(value) });
    return false;
  }

  /**
   * A plain object whose keys are among `required` and `optional`. Unknown keys are reported here; missing required
   * ones are reported by the check of each field ("found nothing"), so every problem is listed once.
   */
  object(value: unknown, path: string, required: readonly string[], optional: readonly string[] = []): value is Record<string, unknown> {
    if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array || CID.asCID(value)) {
      return this.fail(path, "an object", value);
    }
    for (const key of Object.keys(value)) {
      if (!required.includes(key) && !optional.includes(key))
        this.fail(
          join(path, key),
          `no such field (allowed: ${[...required, ...optional].join(", ")})`,
          (value as Record<string, unknown>)[key],
        );
    }
    return true;
  }

  /** A plain object with any keys (a map such as metrics). */
  record(value: unknown, path: string): value is Record<string, unknown> {
    return this.object(value, path, Object.keys((value as object | null) ?? {}));
  }

  string(value: unknown, path: string, { min = 1, max = 200 }: { min?: number; max?: number } = {}): value is string {
    if (typeof value !== "string") return this.fail(path, `a string of ${min} to ${max} characters`, value);
    if (value.length < min || value.length > max) return this.fail(path, `a string of ${min} to ${max} characters`, value);
    if (value !== value.trim()) return this.fail(path, "a string without leading or trailing spaces", value);
    return true;
  }

  literal<T extends string>(value: unknown, path: string, expected: T): value is T {
    return value === expected || this.fail(path, JSON.stringify(expected), value);
  }

  oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): value is T {
    return (
      (typeof value === "string" && (options as readonly string[]).includes(value)) ||
      this.fail(path, `one of ${options.map((o) => JSON.stringify(o)).join(", ")}`, value)
    );
  }

  integer(value: unknown, path: string, min: number): value is number {
    return (
      (Number.isSafeInteger(value) && (value as number) >= min) ||
      this.fail(path, min === 0 ? "a non-negative integer" : min === 1 ? "a positive integer" : `an integer >= ${min}`, value)
    );
  }

  finite(value: unknown, path: string): value is number {
    return (typeof value === "number" && Number.isFinite(value)) || this.fail(path, "a finite number", value);
  }

  cid(value: unknown, path: string): value is CID {
    const cid = CID.asCID(value);
    if (!cid) return this.fail(path, "a CID link", value);
    return cid.version === 1 || this.fail(path, "a CIDv1 link", value);
  }

  array(value: unknown, path: string, min = 0, max = 1_000_000): value is unknown[] {
    if (!Array.isArray(value))
      return this.fail(path, min > 0 ? `an array of at least ${min} item${min === 1 ? "" : "s"}` : "an array", value);
    if (value.length < min) return this.fail(path, `an array of at least ${min} item${min === 1 ? "" : "s"}`, value);
    if (value.length > max) return this.fail(path, `an array of at most ${max} items`, value);
    return true;
  }

  /** An EIP-55 checksummed address (the one canonical spelling, so equal manifests encode to equal bytes). */
  address(value: unknown, path: string): value is `0x${string}` {
    if (typeof value !== "string" || !isAddress(value, { strict: false })) return this.fail(path, "an Ethereum address", value);
    return value === getAddress(value) || this.fail(path, `the checksummed address ${getAddress(value)}`, value);
  }

  /** A decimal string of an unsigned 256-bit integer without leading zeros (on-chain ids). */
  uint256(value: unknown, path: string): value is string {
    if (typeof value !== "string" || !/^(0|[1-9][0-9]*)$/.test(value) || BigInt(value) >= 2n ** 256n) {
      return this.fail(path, "a decimal string of an unsigned 256-bit integer, without leading zeros", value);
    }
    return true;
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** A short, precise description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  const cid = CID.asCID(value);
  if (cid) return `CID ${cid.toString()}`;
  if (typeof value === "string")
    return value.length > 80 ? `${JSON.stringify(value.slice(0, 77))}... (${value.length} characters)` : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return `${typeof value} ${String(value)}`;
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? "" : "s"}`;
  return "an object";
}
