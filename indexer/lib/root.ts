/**
 * The indexer package's root directory: `ponder start` runs here, on its ponder.config.ts. (`import.meta.url`, not
 * `import.meta.dirname` or `import.meta.resolve`: Ponder's bundler, vite-node, sets only the first.)
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const INDEXER_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
