/** The summary `npm run demo` prints at the end: rounds, rewards, assets, the indexer's answer, the checks. */
import { formatAmount } from "@mycelium/client";
import type { Check } from "./checks.ts";
import { duration, percent } from "./format.ts";
import type { HubRun } from "./hub.ts";

export function formatSummary(run: HubRun, checks: readonly Check[]): string {
  const money = (amount: bigint) => formatAmount(amount, run.token);
  const nameOf = (index: number) => run.trainers.find((trainer) => trainer.index === index)?.name ?? `#${index}`;
  const lines: string[] = [];
  const failed = checks.filter((check) => !check.ok);
  lines.push("", `Mycelium hub run: ${duration(run.durationMs)}, ${failed.length === 0 ? "every check passed" : `${failed.length} check(s) FAILED`}.`, "");

  lines.push(`Rounds of job ${run.job.id} (global model on the ${run.dataset.testSamples.toLocaleString("en")} test samples):`);
  lines.push(table(
    ["round", "accuracy", "loss", "included", "excluded", "reward"],
    [
      ["base", percent(run.baseModel.accuracy), run.baseModel.loss.toFixed(3), "", "", ""],
      ...run.rounds.map((round) => [
        String(round.round),
        percent(round.accuracy),
        round.loss.toFixed(3),
        round.included.map(nameOf).join(" "),
        round.recomputed.verdicts.filter((verdict) => !verdict.included).map((verdict) => `${nameOf(verdict.trainerIndex)} (${verdict.reason})`).join(" "),
        round.status === "succeeded" ? money(round.reward) : round.status,
      ]),
    ],
    [false, true, true, false, false, true],
  ));
  lines.push("");

  lines.push("Rewards (claimed on-chain = tokens received = the indexer's count):");
  lines.push(table(
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
  ));
  lines.push("");

  lines.push("Assets:");
  lines.push(table(
    ["asset", "what", "manifest CID"],
    [
      [String(run.dataset.assetId), `dataset "${run.dataset.name}" (${run.dataset.license}), ${money(run.dataset.price)} per access, datatoken ${run.dataset.datatoken}`, run.dataset.manifestCid],
      [String(run.baseModel.assetId), `base model, ${run.baseModel.parameters.toLocaleString("en")} weights, parent: asset ${run.dataset.assetId}`, run.baseModel.manifestCid],
      [String(run.result.assetId), `trained model of job ${run.job.id} (publishResult), parents: assets ${run.result.parents.join(", ")}`, run.result.manifestCid],
    ],
    [true, false, false],
  ));
  lines.push(`  job spec ${run.job.specCid}; the consumer ${run.purchase.consumer} paid ${money(run.purchase.total)} for access (tx ${run.purchase.hash})`);
  lines.push("");

  lines.push(`GraphQL query to the indexer (${run.indexerUrl}/graphql), variables ${JSON.stringify(run.graphql.variables)}:`);
  lines.push(indent(run.graphql.query, "  "));
  lines.push("answer:");
  lines.push(indent(compactJson(run.graphql.answer), "  "));
  lines.push("");

  lines.push("Checks:");
  for (const check of checks) lines.push(`  ${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`);
  return lines.join("\n");
}

/** A plain-text table; `right` says which columns are right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((cell, column) => (right[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join("  ")}`.trimEnd();
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
