/**
 * The HTML report of a hub run: one self-contained file (inline CSS and SVG, no scripts, nothing fetched) with the
 * accuracy per round as a chart, the rounds, the rewards, the assets, the indexer's answer and the checks.
 */
import { formatAmount } from "@mycelium/client";
import type { Check } from "./checks.ts";
import { duration, percent } from "./format.ts";
import type { HubRun } from "./hub.ts";
import { compactJson } from "./summary.ts";

export function renderReport(run: HubRun, checks: readonly Check[], options: { title?: string; generatedAt?: Date } = {}): string {
  const token = run.token;
  const money = (amount: bigint) => (token ? formatAmount(amount, token) : `${amount} units`);
  const nameOf = (index: number) => run.trainers.find((trainer) => trainer.index === index)?.name ?? `#${index}`;
  const failed = checks.filter((check) => !check.ok);
  const title = options.title ?? "Mycelium hub run";
  const generatedAt = (options.generatedAt ?? new Date()).toISOString();
  const paid = run.rewards.reduce((total, reward) => total + reward.received, 0n);
  const trainedOn = run.rounds.reduce((total, round) => total + round.includedSamples, 0n);
  const { job, dataset, baseModel, result, purchase, graphql, chain } = run;
  const notReached = `<p class="fail">Not reached${
    run.failure ? `: the run stopped in its ${escapeHtml(run.failure.phase)} phase` : ""
  }.</p>`;

  const roundRows = run.rounds
    .map((round) => {
      const excluded = round.verification.updates.filter((update) => update.verdict !== "included");
      return row([
        ...[
          String(round.round),
          round.status,
          percent(round.accuracy),
          round.loss.toFixed(3),
          round.included.map(nameOf).join(", "),
          excluded.map((update) => `${nameOf(update.trainerIndex)} (${update.verdict})`).join(", ") || "none",
          round.audits.map((audit) => `${nameOf(audit.trainerIndex)} ${audit.outcome}`).join(", ") || "none",
          round.slashed.map(nameOf).join(", ") || "none",
          round.includedSamples.toLocaleString("en"),
          round.status === "succeeded" ? money(round.reward) : "rolled over",
          round.verification.outcome,
          `${round.finalizedAt.toFixed(1)} s`,
        ].map(escape),
        code(round.aggregateCid ?? "-"),
      ]);
    })
    .join("");
  const rewardRows = run.rewards
    .map((reward) => {
      const trainer = run.trainers.find((entry) => entry.address === reward.address);
      return row([
        escapeHtml(reward.name),
        escapeHtml(reward.role === "honest" ? "honest" : `adversary (${reward.role})`),
        String(trainer?.index ?? ""),
        code(reward.address),
        ...[reward.expected, reward.claimed, reward.received, reward.indexed].map((amount) => escapeHtml(money(amount))),
      ]);
    })
    .join("");
  const phaseRows = run.phases
    .map((phase) =>
      row([
        escapeHtml(phase.name),
        phase.status === "done"
          ? `<span class="ok">done</span>`
          : phase.status === "failed"
            ? `<span class="fail">failed</span>`
            : "not reached",
        `${phase.seconds} s`,
      ]),
    )
    .join("");

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
    max-width: 72rem; padding: 0 1rem; color: #1d2421; }
  h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d9e2dc; }
  .muted { color: #5b6b62; } .ok { color: #1a7f37; } .fail { color: #c62828; font-weight: 600; }
  table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
  th, td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid #e6ece8; vertical-align: top; }
  th { background: #f3f7f4; } code, pre { font: 0.82rem/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
  pre { background: #f6f8f7; padding: 0.8rem; overflow-x: auto; }
  .cards { display: flex; flex-wrap: wrap; gap: 1rem; }
  .card { border: 1px solid #d9e2dc; border-radius: 6px; padding: 0.6rem 1rem; min-width: 12rem; }
  .card b { display: block; font-size: 1.4rem; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">Generated ${escapeHtml(generatedAt)} &middot; ${escapeHtml(duration(run.durationMs))}${
    chain ? ` &middot; chain ${chain.chainId} at ${escapeHtml(chain.rpcUrl)}` : ""
  } &middot;
${failed.length === 0 ? `<span class="ok">every check passed</span>` : `<span class="fail">${failed.length} check(s) failed</span>`}</p>
${
  run.failure
    ? `<h2 class="fail">The run stopped in its ${escapeHtml(run.failure.phase)} phase</h2>\n<pre>${escapeHtml(run.failure.message)}</pre>`
    : ""
}

<div class="cards">
  ${
    baseModel
      ? `<div class="card">Test accuracy<b>${percent(baseModel.accuracy)} &rarr; ` +
        `${percent(run.rounds.at(-1)?.accuracy ?? baseModel.accuracy)}</b>` +
        `<span class="muted">base model &rarr; after ${run.rounds.length} rounds</span></div>`
      : ""
  }
  <div class="card">Trainers<b>${run.trainers.length}</b><span class="muted">${
    run.trainers.filter((t) => t.role !== "honest").length
  } adversarial</span></div>
  ${
    job
      ? `<div class="card">Rewards paid<b>${escapeHtml(money(paid))}</b>` +
        `<span class="muted">of a ${escapeHtml(money(job.rewardPool))} pool` +
        `${paid < job.rewardPool ? `; ${escapeHtml(money(job.rewardPool - paid))} not paid out` : ""}</span></div>`
      : ""
  }
  ${
    dataset
      ? `<div class="card">Dataset<b>${escapeHtml(dataset.name)}</b>` +
        `<span class="muted">${dataset.trainSamples.toLocaleString("en")} train / ${dataset.testSamples.toLocaleString("en")} test; ` +
        `${trainedOn.toLocaleString("en")} samples trained on in included updates</span></div>`
      : ""
  }
</div>

<h2>Phases</h2>
<table><tr>${header(["phase", "status", "took"])}</tr>${phaseRows}</table>

<h2>Accuracy per round</h2>
${baseModel && dataset ? accuracyChart(run.rounds, baseModel.accuracy, dataset.testSamples) : notReached}

<h2>Rounds${job ? ` of job ${job.id}` : ""}</h2>
${
  job && dataset && baseModel
    ? `<p class="muted">${job.numRounds} rounds, ${escapeHtml(money(job.rewardPerRound))} each; ` +
      `windows ${job.windows.commit} s commit, ${job.windows.reveal} s reveal,
${job.windows.attest} s attest, sized from this machine (one trainer's local work took ${job.measured.trainSeconds} s, ` +
      `one transaction ${job.measured.transactionSeconds} s, ${job.measured.cores} cores);
quorum ${job.quorumBps / 100}% of the attested weight; aggregation ${escapeHtml(job.aggregation.rule)}
(robustK ${job.aggregation.robustK ?? "none"}, trim ${job.aggregation.trimFraction}); spec ${code(job.specCid)}.
Each trainer trains on the shards assigned to it for the round (at most ${job.maxSamples.toLocaleString("en")} samples), a short run next to
full passes over the ${dataset.trainSamples.toLocaleString("en")} training samples.
Accuracy and loss: the round's global model on the ${dataset.testSamples.toLocaleString("en")} test samples, scored by the observer.
Exclusion reasons, replay audits and the verifyRound column: the observer's <code>verifyRound</code> of the round (the SDK's
screening and rule, with the observer's own replay of every audited update). The audited updates are drawn from the
trainers' commitment salts; a trainer whose update does not match the replay of its declared work loses its whole stake
(slashed).</p>
<table><tr>${header([
        "round",
        "status",
        "accuracy",
        "loss",
        "included",
        "excluded",
        "replay audits",
        "slashed",
        "samples",
        "reward",
        "verifyRound",
        "final at",
        "model (manifest CID)",
      ])}</tr>
${row([
  "base",
  "",
  percent(baseModel.accuracy),
  baseModel.loss.toFixed(3),
  "",
  "",
  "",
  "",
  "",
  "",
  "",
  "",
  code(baseModel.manifestCid),
])}${roundRows}</table>`
    : notReached
}

<h2>Rewards</h2>
${
  run.rewards.length > 0
    ? `<p class="muted">Owed: reward &times; samples / included samples over the rounds that included the trainer, rounded down
(the rounding remainder stays with the job contract). Claimed: its RewardClaimed events.
Received: the reward token's transfers to it in its claim transactions. Indexer: the indexer's count for the job.</p>
<table><tr>${header(["trainer", "role", "index", "address", "owed", "claimed", "received", "indexer"])}</tr>${rewardRows}</table>`
    : notReached
}

<h2>Assets</h2>
<table><tr>${header(["asset", "what", "manifest CID"])}</tr>
${
  dataset
    ? row([
        String(dataset.assetId),
        `Dataset "${escapeHtml(dataset.name)}" (${escapeHtml(dataset.license)}) from ${escapeHtml(dataset.origin)}; ` +
          `datatoken ${code(dataset.datatoken)}, ${escapeHtml(money(dataset.price))} per access`,
        code(dataset.manifestCid),
      ])
    : ""
}
${
  baseModel && dataset
    ? row([
        String(baseModel.assetId),
        `Base model: ${baseModel.parameters.toLocaleString("en")} weights; parent asset ${dataset.assetId}`,
        code(baseModel.manifestCid),
      ])
    : ""
}
${
  result && job
    ? row([
        String(result.assetId),
        `Trained model of job ${job.id} (publishResult); parents ${result.parents.join(", ")}; ` +
          `lineage: datasets ${result.lineage.datasets.map(code).join(", ")}, base model ${code(result.lineage.baseModel ?? "-")}`,
        code(result.manifestCid),
      ])
    : ""
}
</table>
${
  purchase
    ? `<p class="muted">The consumer ${code(purchase.consumer)} bought access for ${escapeHtml(money(purchase.total))} ` +
      `with ${purchase.signedPermit ? "one permit signature and " : ""}one transaction
(${code(purchase.hash)}) and downloaded ${purchase.downloadedFiles} files ` +
      `(${(purchase.downloadedBytes / 1e6).toFixed(1)} MB), every block verified against its CID.</p>`
    : ""
}

<h2>Checks</h2>
<table><tr>${header(["", "check", "detail"])}</tr>
${checks
  .map((check) =>
    row([check.ok ? `<span class="ok">ok</span>` : `<span class="fail">FAIL</span>`, escapeHtml(check.name), escapeHtml(check.detail)]),
  )
  .join("\n")}
</table>

<h2>The indexer's answer</h2>
${
  graphql
    ? `<p class="muted">POST ${escapeHtml(run.indexerUrl ?? "")}/graphql with variables ` +
      `<code>${escapeHtml(JSON.stringify(graphql.variables))}</code></p>
<pre>${escapeHtml(graphql.query)}</pre>
<pre>${escapeHtml(compactJson(graphql.answer))}</pre>`
    : notReached
}

<h2>Contracts</h2>
${
  chain
    ? `<table><tr>${header(["contract", "address"])}</tr>
${Object.entries(chain.contracts)
  .map(([name, address]) => row([escapeHtml(name), code(address)]))
  .join("\n")}
</table>`
    : notReached
}
<p class="muted">Milestones (seconds from the start): ${Object.entries(run.milestones)
    .map(([name, at]) => `${escapeHtml(name)} ${at}`)
    .join(" &middot; ")}</p>
</body>
</html>
`;
}

/** Test accuracy of the base model and after each round: an inline SVG line chart, 0-100%. */
function accuracyChart(rounds: HubRun["rounds"], baseAccuracy: number, testSamples: number): string {
  const points = [
    { label: "base", accuracy: baseAccuracy },
    ...rounds.map((round) => ({ label: `round ${round.round}`, accuracy: round.accuracy })),
  ];
  const width = 720;
  const height = 300;
  const margin = { left: 56, right: 24, top: 16, bottom: 44 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const x = (i: number) => margin.left + (points.length === 1 ? plotWidth / 2 : (i * plotWidth) / (points.length - 1));
  const y = (accuracy: number) => margin.top + (1 - accuracy) * plotHeight;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (level) =>
        `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(level)}" y2="${y(level)}" stroke="#e3e9e5"/>` +
        `<text x="${margin.left - 8}" y="${y(level) + 4}" text-anchor="end" font-size="12" fill="#5b6b62">${level * 100}%</text>`,
    )
    .join("");
  const path = points.map((point, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(point.accuracy).toFixed(1)}`).join(" ");
  const marks = points
    .map(
      (point, i) =>
        `<circle cx="${x(i).toFixed(1)}" cy="${y(point.accuracy).toFixed(1)}" r="4" fill="#2e7d4f">` +
        `<title>${escapeHtml(point.label)}: ${percent(point.accuracy)}</title></circle>` +
        `<text x="${x(i).toFixed(1)}" y="${(y(point.accuracy) - 10).toFixed(1)}" ` +
        `text-anchor="middle" font-size="12" fill="#1d2421">${percent(point.accuracy)}</text>` +
        `<text x="${x(i).toFixed(1)}" y="${height - margin.bottom + 20}" ` +
        `text-anchor="middle" font-size="12" fill="#5b6b62">${escapeHtml(point.label)}</text>`,
    )
    .join("");
  return (
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Test accuracy per round">
<rect width="${width}" height="${height}" fill="#ffffff"/>${grid}
<path d="${path}" fill="none" stroke="#2e7d4f" stroke-width="2.5"/>${marks}
<text x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle" font-size="12" fill="#5b6b62">` +
    `test accuracy of the global model (${testSamples.toLocaleString("en")} samples)</text>
</svg>`
  );
}

function header(cells: readonly string[]): string {
  return cells.map((cell) => `<th>${escapeHtml(cell)}</th>`).join("");
}

/** A table row of HTML cells (escape text with `escape`). */
function row(cells: readonly string[]): string {
  return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join("")}</tr>`;
}

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);
}
