import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { parseUnits, type Account } from "viem";
import {
  attestAggregate,
  commitUpdate,
  faucet,
  inclusionMask,
  loadTrainingSpec,
  type MyceliumClient,
  publish,
  publishAsset,
  revealUpdate,
} from "@mycelium/client";
import { EXIT_CODES } from "../src/kit/exitCodes.ts";
import { openLocalStorage } from "../src/kit/storage.ts";
import { expectFailure, myc } from "./helpers/myc.ts";
import {
  devnetAccount,
  devnetPrivateKey,
  makeDatasetDirectory,
  makeModelDirectory,
  tempDirectory,
  uniqueCid,
  useTestNetwork,
} from "@mycelium/devkit";

describe("myc job and myc claim (real processes against a devnet)", function () {
  this.timeout(120_000);
  const chain = useTestNetwork();
  let env: Record<string, string>;
  let sponsorEnv: Record<string, string>;
  let trainerEnv: Record<string, string>;
  let trainer: MyceliumClient<Account>;
  let datasetId: bigint;
  let baseModelId: bigint;
  let jobId: string;

  before(async () => {
    env = { MYC_DEPLOYMENT: chain.get().deploymentFile };
    sponsorEnv = { ...env, MYC_PRIVATE_KEY: devnetPrivateKey(1) };
    trainerEnv = { ...env, MYC_PRIVATE_KEY: devnetPrivateKey(2) };
    const sponsor = await chain.get().client(devnetAccount(1));
    trainer = await chain.get().client(devnetAccount(2));
    datasetId = (await publishAsset(sponsor, { kind: "dataset", manifestCid: await uniqueCid("dataset") })).assetId;
    baseModelId = (await publishAsset(sponsor, { kind: "model", manifestCid: await uniqueCid("model") })).assetId;
    await faucet(sponsor, { amount: parseUnits("100", 6) });
    await faucet(trainer, { amount: parseUnits("100", 6) });
  });

  it("creates a job and shows its status, as text and JSON", async () => {
    const created = await myc(
      [
        "job",
        "create",
        "--dataset",
        String(datasetId),
        "--base-model",
        String(baseModelId),
        "--spec",
        (await uniqueCid("spec")).toString(),
        "--reward-per-round",
        "6",
        "--rounds",
        "1",
        "--min-stake",
        "2",
        "--max-samples",
        "500",
        "--max-trainers",
        "4",
        "--commit-window",
        "10m",
        "--reveal-window",
        "10m",
        "--attest-window",
        "10m",
        "--json",
      ],
      sponsorEnv,
    );
    expect(created.code, created.stderr).to.equal(0);
    const job = JSON.parse(created.stdout) as { jobId: string; rewardPool: string };
    expect(job.rewardPool).to.equal("6000000");
    jobId = job.jobId;

    const text = await myc(["job", "status", jobId], sponsorEnv);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout)
      .to.contain(`Job ${jobId} (scheduled) by ${devnetAccount(1).address}`)
      .and.to.contain("6 mUSD per round")
      .and.to.contain("the base model");
    const json = JSON.parse((await myc(["job", "status", jobId, "--json"], env)).stdout) as {
      job: { numRounds: number };
      phase: { phase: string };
    };
    expect(json.job.numRounds).to.equal(1);
    expect(json.phase.phase).to.equal("scheduled");
  });

  it("a trainer joins, takes part, and claims its reward with myc claim", async () => {
    const joined = await myc(
      [
        "job",
        "join",
        jobId,
        "--peer-id",
        "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA",
        "--addr",
        "/ip4/127.0.0.1/tcp/4001",
        "--json",
      ],
      trainerEnv,
    );
    expect(joined.code, joined.stderr).to.equal(0);
    expect(JSON.parse(joined.stdout)).to.include({ index: "0", stake: "2000000" });

    expectFailure(await myc(["claim", jobId], trainerEnv), EXIT_CODES.NOTHING_TO_CLAIM, /has no reward to claim in job/);

    await chain.get().time.advanceBy(30);
    const update = await uniqueCid("update");
    const { salt } = await commitUpdate(trainer, { jobId: BigInt(jobId), updateCid: update, samples: 400 });
    await chain.get().time.advanceBy(600);
    await revealUpdate(trainer, { jobId: BigInt(jobId), updateCid: update, samples: 400, salt });
    await chain.get().time.advanceBy(600);
    await attestAggregate(trainer, {
      jobId: BigInt(jobId),
      aggregateCid: await uniqueCid("aggregate"),
      includedMask: inclusionMask([0]),
      slashMask: 0n,
      includedSamples: 400,
    });

    const finalized = await myc(["job", "finalize", jobId], sponsorEnv);
    expect(finalized.code, finalized.stderr).to.equal(0);
    expect(finalized.stdout).to.match(/Round 0 of job \d+ succeeded: the model is now bafk/);

    const claimed = await myc(["claim", jobId, "--json"], trainerEnv);
    expect(claimed.code, claimed.stderr).to.equal(0);
    const result = JSON.parse(claimed.stdout) as { amount: string; rounds: { round: string; samples: string }[] };
    expect(result.amount).to.equal("6000000");
    expect(result.rounds).to.deep.equal([{ round: "0", amount: "6000000", samples: "400" }]);

    const published = await myc(["job", "publish", jobId], sponsorEnv);
    expect(published.code, published.stderr).to.equal(0);
    expect(published.stdout).to.match(/is asset \d+/);
  });

  it("builds the job spec from the dataset and base model assets, and rejects an invalid spec file (23)", async () => {
    const dataDir = tempDirectory("myc-jobs-data-");
    const storage = await openLocalStorage(dataDir);
    let dataset: bigint;
    let model: bigint;
    try {
      const sponsor = await chain.get().client(devnetAccount(1));
      dataset = (
        await publish(sponsor, { storage, kind: "dataset", path: await makeDatasetDirectory(), info: { name: "Blobs", license: "MIT" } })
      ).assetId;
      model = (
        await publish(sponsor, {
          storage,
          kind: "model",
          path: await makeModelDirectory(),
          info: { name: "Base", license: "MIT" },
          parents: [dataset],
        })
      ).assetId;
    } finally {
      await storage.close();
    }
    const local = { ...sponsorEnv, MYC_DATA_DIR: dataDir, MYC_NETWORK: "loopback" };
    const created = await myc(
      [
        "job",
        "create",
        "--dataset",
        String(dataset),
        "--base-model",
        String(model),
        "--shards-per-trainer",
        "2",
        "--batch-size",
        "16",
        "--epochs",
        "2",
        "--reward-per-round",
        "1",
        "--rounds",
        "1",
        "--min-stake",
        "1",
        "--json",
      ],
      local,
    );
    expect(created.code, created.stderr).to.equal(0);
    const job = JSON.parse(created.stdout) as { jobId: string; specCid: string; maxSamples: number };
    expect(job.maxSamples).to.equal(200); // two shards of 100 samples
    const reopened = await openLocalStorage(dataDir);
    try {
      const spec = await loadTrainingSpec(reopened, job.specCid);
      expect(spec).to.deep.include({
        batchSize: 16,
        shardsPerTrainer: 2,
        local: { unit: "epochs", count: 2 },
        validation: { split: "test", shard: 0 },
      });
      expect(spec.dataset.assetId).to.equal(String(dataset));
      const onChain = JSON.parse((await myc(["job", "status", job.jobId, "--json"], env)).stdout) as {
        job: { specCid: string; maxSamples: number };
      };
      expect(onChain.job).to.include({ specCid: job.specCid, maxSamples: 200 });
    } finally {
      await reopened.close();
    }

    const badSpec = path.join(dataDir, "spec.json");
    fs.writeFileSync(badSpec, JSON.stringify({ format: "mycelium/training-spec@1", batchSize: 0 }));
    const invalid = await myc(
      [
        "job",
        "create",
        "--dataset",
        String(dataset),
        "--base-model",
        String(model),
        "--spec-file",
        badSpec,
        "--max-samples",
        "10",
        "--reward-per-round",
        "1",
        "--rounds",
        "1",
        "--min-stake",
        "1",
      ],
      local,
    );
    expectFailure(invalid, EXIT_CODES.INVALID_TRAINING_SPEC, /^error: Invalid training spec: \d+ problems\. .*batchSize/);
  });

  it("unknown job (7) and a job that cannot be funded (8)", async () => {
    expectFailure(await myc(["job", "status", "4242"], env), EXIT_CODES.JOB_NOT_FOUND, /^error: Job 4242 does not exist\.$/);
    const poor = await myc(
      [
        "job",
        "create",
        "--dataset",
        String(datasetId),
        "--base-model",
        String(baseModelId),
        "--spec",
        (await uniqueCid("spec")).toString(),
        "--reward-per-round",
        "1000",
        "--rounds",
        "1",
        "--min-stake",
        "2000",
        "--max-samples",
        "10",
      ],
      { ...env, MYC_PRIVATE_KEY: devnetPrivateKey(9) },
    );
    expectFailure(poor, EXIT_CODES.INSUFFICIENT_BALANCE, /holds 0 mUSD but funding the job's reward pool needs 1000 mUSD/);
  });
});
