/** `npm run schema:digest -w @mycelium/indexer`: records the digest of schema/ in ponder.schema.ts (see lib/schemaDigest.ts). */
import { SCHEMA_FILE, updateSchemaDigest } from "../lib/schemaDigest.ts";

console.log(updateSchemaDigest() ? `Updated the schema digest in ${SCHEMA_FILE}.` : "The schema digest is current.");
