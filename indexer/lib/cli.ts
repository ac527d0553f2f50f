/** Where Ponder's command-line entry point is (its package exports neither the bin nor package.json). */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PONDER_CLI = path.join(path.dirname(fileURLToPath(import.meta.resolve("ponder"))), "bin", "ponder.js");
