/**
 * Where this package and Ponder's command-line entry point are (Ponder exports neither its bin nor package.json), for
 * `npm run indexer` and for the devkit's process runner (`@mycelium/indexer/ponder-cli`).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

export { INDEXER_ROOT } from "./root.ts";

export const PONDER_CLI = path.join(path.dirname(fileURLToPath(import.meta.resolve("ponder"))), "bin", "ponder.js");
