/**
 * What every command-line launcher of the project does once its TypeScript is loaded (bin/myc.js, the trainer's
 * bin/mycelium-trainer.js): wire the stop signals to an AbortController (the first stops the command cleanly, a second
 * exits at once), run the program, let stdout drain (so `--json` output is never cut short) and exit with its code.
 */
export type LaunchParameters = {
  /** Signals that stop the program cleanly. Default SIGINT (Ctrl-C). */
  signals?: readonly NodeJS.Signals[] | undefined;
};

export async function launch(
  program: (parameters: { signal: AbortSignal }) => Promise<number>,
  parameters: LaunchParameters = {},
): Promise<never> {
  const controller = new AbortController();
  for (const signal of parameters.signals ?? ["SIGINT"]) {
    process.on(signal, () => {
      if (controller.signal.aborted) process.exit(signal === "SIGTERM" ? 143 : 130);
      controller.abort(new Error(signal === "SIGINT" ? "interrupted (Ctrl-C)" : `stopped by ${signal}`));
    });
  }
  const code = await program({ signal: controller.signal });
  await new Promise((resolve) => process.stdout.write("", resolve));
  process.exit(code);
}
