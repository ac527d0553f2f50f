/**
 * The digest of the schema's files. Ponder's build id hashes the text of ponder.schema.ts only, not of the files it
 * re-exports, so ponder.schema.ts carries the sha256 of every file under schema/: a change there changes the digest
 * line, hence the build id, and `ponder start` never resumes into tables of an older schema. A test checks the line
 * is current; `npm run schema:digest -w @mycelium/indexer` rewrites it.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { INDEXER_ROOT } from "./root.ts";

export const SCHEMA_FILE = path.join(INDEXER_ROOT, "ponder.schema.ts");
const SCHEMA_DIRECTORY = path.join(INDEXER_ROOT, "schema");
const DIGEST_LINE = /^\/\/ schema\/ digest: ([0-9a-f]{64})$/m;

/** sha256 over the files under schema/, by name, each name and content in order. */
export function schemaDigest(): string {
  const hash = createHash("sha256");
  for (const name of fs
    .readdirSync(SCHEMA_DIRECTORY)
    .filter((file) => file.endsWith(".ts"))
    .sort()) {
    hash.update(`${name}\n`);
    hash.update(fs.readFileSync(path.join(SCHEMA_DIRECTORY, name)));
  }
  return hash.digest("hex");
}

/** The digest recorded in ponder.schema.ts, or null when it has none. */
export function recordedSchemaDigest(): string | null {
  return DIGEST_LINE.exec(fs.readFileSync(SCHEMA_FILE, "utf8"))?.[1] ?? null;
}

/** Writes the current digest into ponder.schema.ts; returns true when it changed. */
export function updateSchemaDigest(): boolean {
  const text = fs.readFileSync(SCHEMA_FILE, "utf8");
  const line = `// schema/ digest: ${schemaDigest()}`;
  const updated = DIGEST_LINE.test(text) ? text.replace(DIGEST_LINE, line) : `${text.trimEnd()}\n\n${line}\n`;
  if (updated === text) return false;
  fs.writeFileSync(SCHEMA_FILE, updated);
  return true;
}
