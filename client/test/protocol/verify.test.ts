/**
 * verifyRound and verifyJob against rounds played on a devnet with real content on IPFS: an honest round agrees; a
 * finalized tuple with a tampered CID or a wrong mask disagrees, and says how; a round whose update could not be fetched
 * by the verifier is inconclusive when the attesters had it (they may be right), and agrees when they did not either.
 */
import { expect } from "chai";
import { scriptedJobs, tempDirectory, useTestNetwork, type ScriptedJobs } from "@mycelium/devkit";
import { verifyJob, verifyRound } from "../../src/protocol/verify.ts";
import { createStorageNode, type StorageNode } from "../../src/storage/node.ts";
import { maskIndices } from "../../src/protocol/hashes.ts";

describe("verifyRound and verifyJob", function () {
  this.timeout(600_000);
  const chain = useTestNetwork();
  let holder: StorageNode;
  let verifier: StorageNode;
  let jobs: ScriptedJobs;

  before(async () => {
    holder = await createStorageNode({ dataDir: tempDirectory("verify-holder-"), network: "loopback" });
    verifier = await createStorageNode({ dataDir: tempDirectory("verify-verifier-"), network: "loopback", peers: holder.multiaddrs });
    jobs = await scriptedJobs(chain.get(), holder);
  });
  after(async () => {
    await verifier?.stop();
    await holder?.stop();
  });

  it("agrees with an honest round, bit for bit, and reports every update's verdict", async () => {
    const played = await jobs.playRound({ tuple: { kind: "honest" } });
    const report = await verifyRound(await chain.get().readOnly(), { storage: verifier, jobId: played.jobId, round: 0 });
    expect(report.outcome).to.equal("agrees");
    expect(report.agrees).to.equal(true);
    expect(report.status).to.equal("succeeded");
    expect(report.recomputed.aggregateCid.equals(played.honest.aggregateCid)).to.equal(true);
    expect(report.onChain!.aggregateCid.equals(played.attested.aggregateCid)).to.equal(true);
    expect(report.updates.map((update) => [update.trainerIndex, update.fetched, update.verdict, update.includedOnChain])).to.deep.equal([
      [0, true, "included", true],
      [1, true, "included", true],
      [2, true, "included", true],
    ]);
    expect(report.unavailable).to.deep.equal([]);

    const job = await verifyJob(await chain.get().readOnly(), { storage: verifier, jobId: played.jobId });
    expect(job.outcome).to.equal("agrees");
    expect(job.rounds.map((round) => round.outcome)).to.deep.equal(["agrees"]);
  });

  it("reports a finalized tuple whose aggregate CID was tampered with as disagreeing", async () => {
    const honest = await jobs.playRound({ tuple: { kind: "honest" } });
    // Another real model's CID: the quorum attests the previous job's aggregate instead of this round's.
    const played = await jobs.playRound({ tuple: { kind: "tampered-cid", aggregateCid: honest.honest.aggregateCid } });
    expect(played.attested.aggregateCid.equals(played.honest.aggregateCid)).to.equal(false);
    const report = await verifyRound(await chain.get().readOnly(), { storage: verifier, jobId: played.jobId, round: 0 });
    expect(report.outcome).to.equal("disagrees");
    expect(report.agrees).to.equal(false);
    expect(report.reasons[0]).to.equal(
      `the finalized aggregate is ${played.attested.aggregateCid}, the rule gives ${played.honest.aggregateCid}`,
    );
    expect(report.reasons).to.have.length(1);
    const job = await verifyJob(await chain.get().readOnly(), { storage: verifier, jobId: played.jobId });
    expect(job.outcome).to.equal("disagrees");
    expect(job.agrees).to.equal(false);
  });

  it("reports a finalized tuple with a wrong mask as disagreeing, naming the trainer left out", async () => {
    const played = await jobs.playRound({ tuple: { kind: "wrong-mask", drop: 1 } });
    const report = await verifyRound(await chain.get().readOnly(), { storage: verifier, jobId: played.jobId, round: 0 });
    expect(report.outcome).to.equal("disagrees");
    expect(maskIndices(report.onChain!.includedMask)).to.deep.equal([0, 2]);
    expect(maskIndices(report.recomputed.includedMask)).to.deep.equal([0, 1, 2]);
    expect(report.reasons.join("\n")).to.include("the finalized mask includes [0, 2], the rule includes [0, 1, 2] (trainer 1: included");
    expect(report.reasons.join("\n")).to.include(`counts ${played.attested.includedSamples} samples`);
    expect(report.updates.find((update) => update.trainerIndex === 1)).to.deep.include({ verdict: "included", includedOnChain: false });
  });

  it("calls a round inconclusive when the verifier cannot fetch an update the attesters had", async () => {
    const played = await jobs.playRound({ tuple: { kind: "honest" }, hidden: [2], attestersHad: true });
    const report = await verifyRound(await chain.get().readOnly(), {
      storage: verifier,
      jobId: played.jobId,
      round: 0,
      fetchTimeoutMs: 15_000,
    });
    expect(report.outcome).to.equal("inconclusive");
    expect(report.agrees).to.equal(null);
    expect(report.unavailable).to.deep.equal([2]);
    // Drawn for an audit, an update the verifier cannot fetch fails it (as it would for an attester that could not).
    const verdict = played.audited.includes(2) ? "replay-mismatch" : "unavailable";
    expect(report.updates[2]).to.deep.include({ fetched: false, verdict, includedOnChain: true });
    expect(report.reasons.at(-1)).to.match(/trainer 2 could not be fetched here; the attesters may have had them/);
  });

  it("agrees when the attesters could not fetch that update either and left it out", async () => {
    const played = await jobs.playRound({ tuple: { kind: "honest" }, hidden: [2], attestersHad: false });
    const report = await verifyRound(await chain.get().readOnly(), {
      storage: verifier,
      jobId: played.jobId,
      round: 0,
      fetchTimeoutMs: 15_000,
    });
    expect(report.outcome).to.equal("agrees");
    expect(report.unavailable).to.deep.equal([2]);
    expect(maskIndices(report.onChain!.includedMask)).to.deep.equal([0, 1]);
    // Drawn for an audit, the update nobody could fetch failed it, and both the chain and the verifier say so.
    expect(report.onChain!.slashMask).to.equal(played.audited.includes(2) ? 0b100n : 0n);
  });
});
