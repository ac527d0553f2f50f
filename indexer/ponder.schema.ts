/**
 * The indexer's schema, split by domain the way ENSNode splits its Ponder schema: each file under schema/ holds one
 * domain's tables, with their enums and, right after each table, its `relations(...)`; this file only re-exports them,
 * because Ponder builds the database, `ponder:schema` and the GraphQL API from this file's exports. schema/common.ts
 * holds the conventions all tables follow and the column helpers they share (not re-exported: it defines no table).
 * Ponder's build id hashes the text of this file, not of the files it imports: the digest line at the end records the
 * sha256 of schema/ (lib/schemaDigest.ts), so a change there changes this file and the build id, and `ponder start`
 * never resumes into tables of an older schema. A test checks it; `npm run schema:digest -w @mycelium/indexer` updates it.
 */
export * from "./schema/tokens.ts";
export * from "./schema/assets.ts";
export * from "./schema/datatokens.ts";
export * from "./schema/marketplace.ts";
export * from "./schema/training.ts";

// schema/ digest: 5b77b105e1e528345b4d40053ccacf3520054e913584f6a95eda81eb335a2240
