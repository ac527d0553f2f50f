/** `@mycelium/cli/myc`: the `myc` program, for embedding and tests (bin/myc.js runs `main`). */
export { buildProgram, main } from "./main.ts";
export type { MainParameters, Run } from "./main.ts";
