/**
 * `myc verify` as a user runs it (the real launcher in a child process) against rounds played on a devnet with real
 * content on IPFS: exit 0 and "agrees" for an honest round, 55 and the reason for a tampered one, 56 when an update
 * could not be fetched and the tuples differ.
 */
import { expect } from "chai";
import { createStorageNode, type StorageNode } from "@mycelium/client";
import { scriptedJobs, tempDirectory, useTestNetwork, type ScriptedJobs } from "@mycelium/devkit";
import { EXIT_CODES } from "../src/kit/exitCodes.ts";
import { myc } from "./helpers/myc.ts";

describe("myc verify", function () {
  this.timeout(600_000);
  const chain = useTestNetwork();
  let holder: StorageNode;
  let jobs: ScriptedJobs;
  let env: Record<string, string>;

  before(async () => {
    holder = await createStorageNode({ dataDir: tempDirectory("cli-verify-holder-"), network: "loopback" });
    jobs = await scriptedJobs(chain.get(), holder);
    env = { MYC_DEPLOYMENT: chain.get().deploymentFile, MYC_NETWORK: "loopback", MYC_PEERS: holder.multiaddrs.join(",") };
  });
  after(async () => {
    await holder?.stop();
  });

  const verify = (args: string[]) => myc(["verify", ...args, "--data-dir", tempDirectory("cli-verify-"), "--json"], env);

  it("exits 0 for an honest round and prints the report", async () => {
    const played = await jobs.playRound({ tuple: { kind: "honest" } });
    const result = await verify(["round", String(played.jobId), "0"]);
    expect(result.code, result.stderr).to.equal(0);
    const report = JSON.parse(result.stdout) as { outcome: string; recomputed: { aggregateCid: string }; updates: { verdict: string }[] };
    expect(report.outcome).to.equal("agrees");
    expect(report.recomputed.aggregateCid).to.equal(played.honest.aggregateCid.toString());
    expect(report.updates.map((update) => update.verdict)).to.deep.equal(["included", "included", "included"]);
    const job = await verify(["job", String(played.jobId)]);
    expect(job.code, job.stderr).to.equal(0);
    expect((JSON.parse(job.stdout) as { outcome: string }).outcome).to.equal("agrees");
  });

  it("exits 55 for a round whose finalized mask is wrong, and says why", async () => {
    const played = await jobs.playRound({ tuple: { kind: "wrong-mask", drop: 0 } });
    const result = await verify(["round", String(played.jobId), "0"]);
    expect(result.code, result.stderr).to.equal(EXIT_CODES.VERIFICATION_DISAGREES);
    const report = JSON.parse(result.stdout) as { outcome: string; reasons: string[] };
    expect(report.outcome).to.equal("disagrees");
    expect(report.reasons[0]).to.include("the finalized mask includes [1, 2], the rule includes [0, 1, 2]");
    const human = await myc(["verify", "round", String(played.jobId), "0", "--data-dir", tempDirectory("cli-verify-")], env);
    expect(human.code).to.equal(EXIT_CODES.VERIFICATION_DISAGREES);
    expect(human.stdout).to.include(`Round 0 of job ${played.jobId} (succeeded): disagrees`);
  });

  it("exits 56 when an update the attesters had cannot be fetched here", async () => {
    const played = await jobs.playRound({ tuple: { kind: "honest" }, hidden: [1], attestersHad: true });
    const result = await verify(["round", String(played.jobId), "0", "--fetch-timeout", "10s"]);
    expect(result.code, result.stderr).to.equal(EXIT_CODES.VERIFICATION_INCONCLUSIVE);
    expect((JSON.parse(result.stdout) as { outcome: string; unavailable: number[] }).unavailable).to.deep.equal([1]);
  });
});
