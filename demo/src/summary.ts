/** The summary `npm run demo` prints at the end: rounds, rewards, assets, the indexer's answer, the checks. */
import { formatAmount } from "@mycelium/client";
import type { Check } from "./checks.ts";
import { duration, percent } from "./format.ts";
import type { HubRun } from "./hub.ts";

export function formatSummary(run: HubRun, checks: readonly Check[]): string {
  const token = run.token;
  const money = (amount: bigint) => (token ? formatAmount(amount, token) : `${amount} units`);
  const nameOf = (index: number) => run.trainers.find((trainer) => trainer.index === index)?.name ?? `#${index}`;
  const lines: string[] = [];
  const failed = checks.filter((check) => !check.ok);
  lines.push(
    "",
    `Mycelium hub run: ${duration(run.durationMs)}, ${failed.length === 0 ? "every check passed" : `${failed.length} check(s) FAILED`}.`,
    "",
  );
  if (run.failure) lines.push(`The run stopped in its ${run.failure.phase} phase:`, indent(run.failure.message, "  "), "");
  const { job, dataset, baseModel, result, purchase, graphql } = run;

  if (job && dataset && baseModel) {
    lines.push(
      `Rounds of job ${job.id} (global model on the ${dataset.testSamples.toLocaleString("en")} test samples; ` +
        `windows ${job.windows.commit}/${job.windows.reveal}/${job.windows.attest} s):`,
    );
    lines.push(
      table(
        ["round", "accuracy", "loss", "included", "excluded", "reward", "verifyRound"],
        [
          ["base", percent(baseModel.accuracy), baseModel.loss.toFixed(3), "", "", "", ""],
          ...run.rounds.map((round) => [
            String(round.round),
            percent(round.accuracy),
            round.loss.toFixed(3),
            round.included.map(nameOf).join(" "),
            round.verification.updates
              .filter((update) => update.verdict !== "included")
              .map((update) => `${nameOf(update.trainerIndex)} (${update.verdict})`)
              .join(" "),
            round.status === "succeeded" ? money(round.reward) : round.status,
            round.verification.outcome,
          ]),
        ],
        [false, true, true, false, false, true, false],
      ),
    );
    lines.push("");
  }

  if (run.rewards.length > 0) {
    lines.push("Rewards (claimed on-chain = tokens received = the indexer's count):");
    lines.push(
      table(
        ["trainer", "role", "index", "claimed", "received", "indexer"],
        run.rewards.map((reward) => [
          reward.name,
          reward.role === "honest" ? "honest" : `adversary (${reward.role})`,
          String(run.trainers.find((trainer) => trainer.address === reward.address)?.index ?? ""),
          money(reward.claimed),
          money(reward.received),
          money(reward.indexed),
        ]),
        [false, false, true, true, true, true],
      ),
    );
    lines.push("");
  }

  if (dataset) {
    lines.push("Assets:");
    lines.push(
      table(
        ["asset", "what", "manifest CID"],
        [
          [
            String(dataset.assetId),
            `dataset "${dataset.name}" (${dataset.license}), ${money(dataset.price)} per access, datatoken ${dataset.datatoken}`,
            dataset.manifestCid,
          ],
          ...(baseModel
            ? [
                [
                  String(baseModel.assetId),
                  `base model, ${baseModel.parameters.toLocaleString("en")} weights, parent: asset ${dataset.assetId}`,
                  baseModel.manifestCid,
                ],
              ]
            : []),
          ...(result && job
            ? [
                [
                  String(result.assetId),
                  `trained model of job ${job.id} (publishResult), parents: assets ${result.parents.join(", ")}`,
                  result.manifestCid,
                ],
              ]
            : []),
        ],
        [true, false, false],
      ),
    );
    if (job && purchase)
      lines.push(
        `  job spec ${job.specCid}; the consumer ${purchase.consumer} paid ${money(purchase.total)} for access (tx ${purchase.hash})`,
      );
    lines.push("");
  }

  if (graphql) {
    lines.push(`GraphQL query to the indexer (${run.indexerUrl}/graphql), variables ${JSON.stringify(graphql.variables)}:`);
    lines.push(indent(graphql.query, "  "));
    lines.push("answer:");
    lines.push(indent(compactJson(graphql.answer), "  "));
    lines.push("");
  }

  lines.push("Checks:");
  for (const check of checks) lines.push(`  ${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`);
  return lines.join("\n");
}

/** A plain-text table; `right` says which columns are right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    `  ${cells
      .map((cell, column) => (right[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")}`.trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** JSON with every object of scalars (a row) on one line. */
export function compactJson(value: unknown, depth = 0): string {
  const pad = "  ".repeat(depth);
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const entries = Array.isArray(value) ? value.map((item) => [null, item] as const) : Object.entries(value);
  const flat = entries.every(([, item]) => item === null || typeof item !== "object");
  if (flat) return JSON.stringify(value, null, 1).replace(/\n\s*/g, " ");
  const inner = entries.map(([key, item]) => `${pad}  ${key === null ? "" : `${JSON.stringify(key)}: `}${compactJson(item, depth + 1)}`);
  return Array.isArray(value) ? `[\n${inner.join(",\n")}\n${pad}]` : `{\n${inner.join(",\n")}\n${pad}}`;
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}
