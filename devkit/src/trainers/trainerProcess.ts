/**
 * Entry of a trainer process in the demo, tests and benchmarks: the real command line (runTrainerCli, the same code as
 * the trainer package's bin/mycelium-trainer.js, with the same SIGINT/SIGTERM handling), optionally with an adversarial hook named by
 * MYC_TEST_ADVERSARY (scaled, sign-flip, noise, lazy, free-rider). Arguments are the CLI's.
 */
import { runTrainerCli } from "@mycelium/trainer";
import { ADVERSARIES, adversarialHooks, isAdversary } from "./adversarialHooks.ts";

const adversary = process.env.MYC_TEST_ADVERSARY;
if (adversary !== undefined && !isAdversary(adversary)) {
  process.stderr.write(`MYC_TEST_ADVERSARY must be one of ${Object.keys(ADVERSARIES).join(", ")}\n`);
  process.exit(2);
}
const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`stopped by ${signal}`));
  });
}
const code = await runTrainerCli({
  signal: controller.signal,
  hooks: adversary !== undefined && isAdversary(adversary) ? adversarialHooks(adversary) : undefined,
});
await new Promise((resolve) => process.stdout.write("", resolve));
process.exit(code);
