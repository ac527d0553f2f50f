import { expect } from "chai";
import { base58btc } from "multiformats/bases/base58";
import { erc20Abi, hexToBytes, parseUnits, type Account, type Address } from "viem";
import { readContract } from "viem/actions";
import { trainingJobsAbi } from "../../src/abis/index.ts";
import { attestAggregate } from "../../src/actions/attestAggregate.ts";
import { cancelJob } from "../../src/actions/cancelJob.ts";
import { claimRewards } from "../../src/actions/claimRewards.ts";
import { commitUpdate } from "../../src/actions/commitUpdate.ts";
import { createJob, DEFAULT_START_DELAY_SECONDS } from "../../src/actions/createJob.ts";
import { faucet } from "../../src/actions/faucet.ts";
import { finalizeRound } from "../../src/actions/finalizeRound.ts";
import { getAsset } from "../../src/actions/getAsset.ts";
import { getClaimableRounds } from "../../src/actions/getClaimableRounds.ts";
import { getCurrentModel } from "../../src/actions/getCurrentModel.ts";
import { getJob } from "../../src/actions/getJob.ts";
import { getPhase } from "../../src/actions/getPhase.ts";
import { getRound } from "../../src/actions/getRound.ts";
import { getRoundResult } from "../../src/actions/getRoundResult.ts";
import { getTrainer } from "../../src/actions/getTrainer.ts";
import { getTrainerRound } from "../../src/actions/getTrainerRound.ts";
import { joinJob } from "../../src/actions/joinJob.ts";
import { leaveJob } from "../../src/actions/leaveJob.ts";
import { publishAsset } from "../../src/actions/publishAsset.ts";
import { publishResult } from "../../src/actions/publishResult.ts";
import { refundRemainder } from "../../src/actions/refundRemainder.ts";
import { revealUpdate } from "../../src/actions/revealUpdate.ts";
import { evictTrainer } from "../../src/actions/evictTrainer.ts";
import { settleTrainer } from "../../src/actions/settleTrainer.ts";
import { slashTrainer } from "../../src/actions/slashTrainer.ts";
import { sweepRound } from "../../src/actions/sweepRound.ts";
import { updatePeerInfo } from "../../src/actions/updatePeerInfo.ts";
import { withdrawStake } from "../../src/actions/withdrawStake.ts";
import { cidToHex } from "../../src/chain/cid.ts";
import { createMyceliumClient, type MyceliumClient } from "../../src/chain/client.ts";
import {
  computeCommitment,
  computeRoundSeed,
  computeTupleHash,
  inclusionMask,
  maskIndices,
  randomSalt,
} from "../../src/protocol/hashes.ts";
import { decodePeerId, encodeMultiaddr, encodePeerId } from "../../src/protocol/peers.ts";
import { InsufficientBalanceError, NothingToClaimError } from "../../src/errors/chain.ts";
import { type ContractRevertedError, JobNotFoundError } from "../../src/errors/contract.ts";
import { rejection } from "../helpers/rejection.ts";
import { devnetAccount, uniqueCid, useTestNetwork } from "@mycelium/devkit";

const usdc = (amount: string) => parseUnits(amount, 6);
const WINDOW = 600;

describe("training actions against a devnet", function () {
  this.timeout(120_000);
  const chain = useTestNetwork();
  let sponsor: MyceliumClient<Account>;
  let trainers: MyceliumClient<Account>[];
  let keeper: MyceliumClient<Account>;
  let datasetId: bigint;
  let baseModelId: bigint;
  let token: Address;

  before(async () => {
    sponsor = await chain.get().client(devnetAccount(1));
    trainers = await Promise.all([2, 3, 4].map((index) => chain.get().client(devnetAccount(index))));
    keeper = await chain.get().client(devnetAccount(5));
    token = chain.get().devnet.deployment.contracts.PaymentToken!.address;
    datasetId = (await publishAsset(sponsor, { kind: "dataset", manifestCid: await uniqueCid("dataset") })).assetId;
    baseModelId = (await publishAsset(sponsor, { kind: "model", manifestCid: await uniqueCid("base") })).assetId;
    for (const client of [sponsor, ...trainers]) await faucet(client, { amount: usdc("1000") });
  });

  const balanceOf = (account: Address) =>
    readContract(sponsor, { address: token, abi: erc20Abi, functionName: "balanceOf", args: [account] });
  const jobParameters = async () => ({
    datasetId,
    baseModelId,
    specCid: await uniqueCid("spec"),
    rewardPerRound: usdc("10"),
    numRounds: 2,
    minStake: usdc("5"),
    commitWindow: WINDOW,
    revealWindow: WINDOW,
    attestWindow: WINDOW,
    maxTrainers: 4,
    maxSamples: 1_000,
  });

  describe("hashes and encodings", () => {
    it("computeCommitment and computeTupleHash match the contract", async () => {
      const jobs = chain.get().devnet.deployment.contracts.TrainingJobs!.address;
      const updateCid = await uniqueCid("update");
      const salt = randomSalt();
      const trainer = devnetAccount(2).address;
      const onChain = await readContract(sponsor, {
        address: jobs,
        abi: trainingJobsAbi,
        functionName: "computeCommitment",
        args: [7n, 3n, cidToHex(updateCid), 123n, salt, trainer],
      });
      const domain = { chainId: chain.get().devnet.chainId, contract: jobs, jobId: 7, round: 3 };
      expect(computeCommitment({ ...domain, updateCid, samples: 123, salt, trainer })).to.equal(onChain);
      expect(computeCommitment({ ...domain, updateCid: updateCid.toString(), samples: 123n, salt, trainer })).to.equal(onChain);
      // Bound to the job and the round: the same update and salt make another commitment anywhere else.
      expect(computeCommitment({ ...domain, round: 4, updateCid, samples: 123, salt, trainer })).not.to.equal(onChain);
      expect(computeCommitment({ ...domain, jobId: 8, updateCid, samples: 123, salt, trainer })).not.to.equal(onChain);
      const tuple = await readContract(sponsor, {
        address: jobs,
        abi: trainingJobsAbi,
        functionName: "computeTupleHash",
        args: [cidToHex(updateCid), 5n, 300n, 2n],
      });
      expect(computeTupleHash({ aggregateCid: updateCid, includedMask: 5n, includedSamples: 300, slashMask: 2n })).to.equal(tuple);
    });

    it("encodes peer ids and multiaddrs, and masks", () => {
      const peerId = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
      expect(base58btc.baseEncode(hexToBytes(encodePeerId(peerId)))).to.equal(peerId);
      expect(decodePeerId(encodePeerId(peerId))).to.equal(peerId);
      expect(encodeMultiaddr("/ip4/127.0.0.1/tcp/4001")).to.equal("0x047f000001060fa1");
      expect(inclusionMask([0, 2, 5])).to.equal(0b100101n);
      expect(maskIndices(0b100101n)).to.deep.equal([0, 2, 5]);
    });
  });

  describe("a job from creation to its published result", () => {
    let jobId: bigint;
    const samples = [100n, 200n, 300n];
    const updates: { cid: Awaited<ReturnType<typeof uniqueCid>>; salt: `0x${string}` }[] = [];

    it("createJob approves and deposits the pool, and reads back", async () => {
      const before = await balanceOf(devnetAccount(1).address);
      const created = await createJob(sponsor, await jobParameters());
      jobId = created.jobId;
      expect(created.rewardPool).to.equal(usdc("20"));
      expect(created.approvalHash).to.match(/^0x/);
      expect(await balanceOf(devnetAccount(1).address)).to.equal(before - usdc("20"));
      const job = await getJob(sponsor, { jobId });
      expect(job).to.deep.include({
        sponsor: devnetAccount(1).address,
        datasetId,
        baseModelId,
        numRounds: 2,
        maxTrainers: 4,
        token,
        quorumBps: 6_667,
        participationBps: 5_000,
        weightCap: 10,
        claimPeriod: 3 * WINDOW,
        everRevealed: false,
        endedAt: null,
      });
      expect(job.specCid.equals(created.specCid)).to.equal(true);
      expect(job.baseModelCid.equals((await getAsset(sponsor, { assetId: baseModelId })).manifestCid)).to.equal(true);
      expect(job.lastSuccessfulRound).to.equal(null);
      const seed = computeRoundSeed({
        chainId: chain.get().devnet.chainId,
        contract: chain.get().devnet.deployment.contracts.TrainingJobs!.address,
        jobId,
        round: 0,
        modelCid: job.baseModelCid,
      });
      expect(created.seed).to.equal(seed);
    });

    it("joinJob stakes the minimum and gives consecutive indices", async () => {
      for (const [index, trainer] of trainers.entries()) {
        const joined = await joinJob(trainer, {
          jobId,
          peerId: new Uint8Array([0, 36, 8, 1, 18, 32, index + 1]),
          addrs: [`/ip4/127.0.0.1/tcp/${4001 + index}`],
        });
        expect(joined.index).to.equal(BigInt(index));
        expect(joined.stake).to.equal(usdc("5"));
      }
      await updatePeerInfo(trainers[0]!, {
        jobId,
        peerId: "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA",
        addrs: ["/ip4/127.0.0.1/tcp/5001"],
      });
      expect(await getTrainer(trainers[0]!, { jobId })).to.deep.include({
        status: "active",
        index: 0n,
        stake: usdc("5"),
        pendingRound: null,
        canWithdraw: false,
      });
      const again = await rejection(joinJob(trainers[0]!, { jobId, peerId: new Uint8Array([1]) }));
      expect((again as ContractRevertedError).errorName).to.equal("AlreadyJoined");
    });

    it("commits in the commit window; the phase moves with the chain's clock", async () => {
      expect((await getPhase(sponsor, { jobId })).phase).to.equal("scheduled");
      await sponsor.request({ method: "evm_increaseTime", params: [Number(DEFAULT_START_DELAY_SECONDS)] } as never);
      // Nothing mined since: reads against "latest" still see the last block's time, reads against "pending" the next one's.
      expect((await getPhase(sponsor, { jobId })).phase).to.equal("scheduled");
      const pending = await createMyceliumClient({
        rpcUrl: chain.get().devnet.rpcUrl,
        deployment: chain.get().devnet.deployment,
        blockTag: "pending",
      });
      expect((await getPhase(pending, { jobId })).phase).to.equal("commit");
      await sponsor.request({ method: "evm_mine", params: [] } as never);
      const phase = await getPhase(sponsor, { jobId });
      expect(phase.phase).to.equal("commit");
      expect(phase.round).to.equal(0n);
      expect(phase.closesAt! - phase.opensAt!).to.equal(BigInt(WINDOW));
      for (const [index, trainer] of trainers.entries()) {
        const cid = await uniqueCid(`update ${index}`);
        const committed = await commitUpdate(trainer, { jobId, updateCid: cid, samples: samples[index]! });
        expect(committed.round).to.equal(0n);
        expect(committed.commitment).to.equal(
          computeCommitment({
            chainId: chain.get().devnet.chainId,
            contract: chain.get().devnet.deployment.contracts.TrainingJobs!.address,
            jobId,
            round: 0,
            updateCid: cid,
            samples: samples[index]!,
            salt: committed.salt,
            trainer: trainer.account.address,
          }),
        );
        updates.push({ cid, salt: committed.salt });
      }
      const early = await rejection(
        revealUpdate(trainers[0]!, { jobId, updateCid: updates[0]!.cid, samples: samples[0]!, salt: updates[0]!.salt }),
      );
      expect((early as ContractRevertedError<"OutsideWindow">).args.phase).to.equal(2);
      expect(early.message).to.contain("reveal window");
    });

    it("reveals (two of three trainers); a wrong salt is CommitmentMismatch", async () => {
      await chain.get().time.advanceBy(WINDOW);
      expect((await getPhase(sponsor, { jobId })).phase).to.equal("reveal");
      const mismatch = await rejection(
        revealUpdate(trainers[0]!, { jobId, updateCid: updates[0]!.cid, samples: samples[0]!, salt: randomSalt() }),
      );
      expect((mismatch as ContractRevertedError).errorName).to.equal("CommitmentMismatch");
      for (const index of [0, 1]) {
        const revealed = await revealUpdate(trainers[index]!, {
          jobId,
          updateCid: updates[index]!.cid,
          samples: samples[index]!,
          salt: updates[index]!.salt,
        });
        // A minimum stake weighs 2^16; revealed in the reveal window, the update counts.
        expect(revealed).to.deep.include({ weight: 65_536n, late: false });
      }
      expect((await getTrainer(trainers[2]!, { jobId })).pendingRound).to.equal(0n);
    });

    it(
      "attests one aggregate; though everyone who revealed attested, nobody finalizes while a commitment is unrevealed " +
        "(its late reveal must stay possible); after the attest window anyone finalizes with the leading tuple",
      async () => {
        await chain.get().time.advanceBy(WINDOW);
        const aggregateCid = await uniqueCid("aggregate 0");
        const tuple = {
          jobId,
          aggregateCid,
          includedMask: inclusionMask([0, 1]),
          includedSamples: samples[0]! + samples[1]!,
          slashMask: 0n,
        };
        const first = await attestAggregate(trainers[0]!, tuple);
        expect(first).to.deep.include({ tupleId: 1n, tupleWeight: 65_536n, leaderTupleId: 1n });
        // Half of the revealed weight is behind the leader: the other half could still overturn it.
        expect((await getRound(sponsor, { jobId })).finalizable).to.equal(false);
        const second = await attestAggregate(trainers[1]!, tuple);
        expect(second).to.deep.include({ tupleWeight: 131_072n, leaderTupleId: 1n });
        const round = await getRound(sponsor, { jobId });
        expect(round).to.deep.include({
          phase: "attest",
          finalizable: false,
          leaderTupleId: 1n,
          leaderWeight: 131_072n,
          revealedWeight: 131_072n,
          attestedWeight: 131_072n,
          revealedCount: 2n,
          attestedCount: 2n,
          committedCount: 3n,
          lateRevealCount: 0n,
        });
        // Trainer 2 committed and may still reveal late until the attest window closes: no early finalization.
        const tooEarly = await rejection(finalizeRound(keeper, { jobId }));
        expect((tooEarly as ContractRevertedError<"FinalizeTooEarly">).args.finalizableAt).to.equal(round.attestEnd);
        expect(tooEarly.message).to.contain("cannot be finalized before");

        await chain.get().time.advanceBy(WINDOW);
        expect((await getRound(sponsor, { jobId })).finalizable).to.equal(true);
        const finalized = await finalizeRound(keeper, { jobId });
        expect(finalized).to.deep.include({
          round: 0n,
          succeeded: true,
          reward: usdc("10"),
          includedSamples: 300n,
          leaderTupleId: 1n,
          early: false,
        });
        expect(finalized.aggregateCid!.equals(aggregateCid)).to.equal(true);
        expect(finalized.nextSeed).to.match(/^0x[0-9a-f]{64}$/);
        const seedOf = (round: number, modelCid: typeof aggregateCid) =>
          computeRoundSeed({
            chainId: chain.get().devnet.chainId,
            contract: chain.get().devnet.deployment.contracts.TrainingJobs!.address,
            jobId,
            round,
            modelCid,
          });
        expect(finalized.nextSeed).to.equal(seedOf(1, aggregateCid));
        expect((await getRound(sponsor, { jobId })).seed).to.equal(seedOf(1, aggregateCid));
        const result = await getRoundResult(sponsor, { jobId, round: 0 });
        expect(result).to.deep.include({
          status: "succeeded",
          includedMask: 3n,
          leaderTupleId: 1n,
          reward: usdc("10"),
          paid: 0n,
          finalizedEarly: false,
        });
        expect(result.aggregateCid!.equals(aggregateCid)).to.equal(true);
        const model = await getCurrentModel(sponsor, { jobId });
        expect(model.round).to.equal(0n);
        expect(model.cid.equals(aggregateCid)).to.equal(true);
      },
    );

    it("slashes the trainer that never revealed: its whole stake goes to the forfeits, nothing to the caller", async () => {
      const before = await balanceOf(devnetAccount(5).address);
      const slashed = await slashTrainer(keeper, { jobId, round: 0, trainer: devnetAccount(4).address });
      expect(slashed.stake).to.equal(usdc("5"));
      expect(await balanceOf(devnetAccount(5).address)).to.equal(before);
      expect((await getJob(sponsor, { jobId })).forfeits).to.equal(usdc("5"));
      expect((await getTrainer(keeper, { jobId, trainer: devnetAccount(4).address })).status).to.equal("slashed");
      const twice = await rejection(slashTrainer(keeper, { jobId, round: 0, trainer: devnetAccount(4).address }));
      expect((twice as ContractRevertedError).errorName).to.equal("NothingToSlash");
    });

    it("claimRewards finds the claimable rounds and pays pro rata to samples, once", async () => {
      expect((await getClaimableRounds(trainers[0]!, { jobId })).rounds).to.deep.equal([0n]);
      const claimed = await claimRewards(trainers[0]!, { jobId });
      expect(claimed.amount).to.equal((usdc("10") * 100n) / 300n);
      expect(claimed.rounds).to.deep.equal([{ round: 0n, amount: claimed.amount, samples: 100n }]);
      expect((await getTrainerRound(trainers[0]!, { jobId, round: 0 })).claimed).to.equal(true);
      const nothing = await rejection(claimRewards(trainers[0]!, { jobId }));
      expect(nothing).to.be.instanceOf(NothingToClaimError);
      expect(((await rejection(claimRewards(trainers[0]!, { jobId, rounds: [0] }))) as ContractRevertedError).errorName).to.equal(
        "AlreadyClaimed",
      );
      expect((await claimRewards(trainers[1]!, { jobId })).amount).to.equal((usdc("10") * 200n) / 300n);
    });

    it("a round nobody commits to fails; then stakes come back, the result is published, dust swept, the remainder refunded", async () => {
      expect((await getPhase(sponsor, { jobId })).round).to.equal(1n);
      await chain.get().time.advanceBy(3 * WINDOW);
      const failed = await finalizeRound(keeper, { jobId });
      expect(failed).to.deep.include({
        round: 1n,
        succeeded: false,
        aggregateCid: null,
        nextSeed: null,
        nextRoundStart: null,
        forfeits: usdc("5"),
      });
      const ended = await getJob(sponsor, { jobId });
      expect(ended.status).to.equal("ended");
      expect(ended.endedAt).to.be.a("bigint");
      expect((await getPhase(sponsor, { jobId })).phase).to.equal("ended");

      const before = await balanceOf(devnetAccount(2).address);
      expect((await withdrawStake(trainers[0]!, { jobId })).amount).to.equal(usdc("5"));
      expect(await balanceOf(devnetAccount(2).address)).to.equal(before + usdc("5"));

      const published = await publishResult(keeper, { jobId });
      const asset = await getAsset(sponsor, { assetId: published.modelAssetId });
      expect(asset).to.deep.include({ kind: "model", owner: devnetAccount(1).address });
      expect(asset.manifestCid.equals(published.modelCid)).to.equal(true);
      expect((await getJob(sponsor, { jobId })).resultAssetId).to.equal(published.modelAssetId);

      // Round 0's claims left one unit of rounding dust: swept into the carry once the claim period is over.
      const early = await rejection(sweepRound(keeper, { jobId, round: 0 }));
      expect((early as ContractRevertedError).errorName).to.equal("ClaimsStillOpen");
      await chain.get().time.advanceBy(3 * WINDOW);
      const swept = await sweepRound(keeper, { jobId, round: 0 });
      expect(swept.amount).to.equal(usdc("10") - (usdc("10") * 100n) / 300n - (usdc("10") * 200n) / 300n);
      expect((await getRoundResult(sponsor, { jobId, round: 0 })).swept).to.equal(true);

      // Round 1's reward and the sweep went to the carry, which goes back to the sponsor; the slashed stake never
      // does (no later round won it): it is burned.
      const refunded = await refundRemainder(keeper, { jobId });
      expect(refunded).to.deep.include({ refund: usdc("10") + swept.amount, burned: usdc("5") });
    });
  });

  describe("other paths", () => {
    it("leaveJob, then cancelJob before the start; withdraw at once", async () => {
      const latest = (await getPhase(sponsor, { jobId: 1 })).now;
      const { jobId } = await createJob(sponsor, { ...(await jobParameters()), startTime: latest + 3_600n });
      expect((await getPhase(sponsor, { jobId })).phase).to.equal("scheduled");
      await joinJob(trainers[0]!, { jobId, peerId: new Uint8Array([7]) });
      const left = await leaveJob(trainers[0]!, { jobId });
      // It never revealed, so nothing binds its stake.
      expect(left.unlockRound).to.equal(0n);
      expect((await getTrainer(trainers[0]!, { jobId })).status).to.equal("left");
      const notSponsor = await rejection(cancelJob(trainers[0]!, { jobId }));
      expect((notSponsor as ContractRevertedError).errorName).to.equal("NotSponsor");
      expect((await cancelJob(sponsor, { jobId })).refund).to.equal(usdc("20"));
      expect((await withdrawStake(trainers[0]!, { jobId })).amount).to.equal(usdc("5"));
    });

    it("settleTrainer takes a silent revealer's penalty; evictTrainer returns an idle trainer's stake less IDLE_BPS and frees its index", async () => {
      const { jobId } = await createJob(sponsor, { ...(await jobParameters()), numRounds: 5 });
      for (const [index, trainer] of trainers.slice(0, 2).entries())
        await joinJob(trainer, { jobId, peerId: new Uint8Array([0, 36, 8, 1, 18, 32, 40 + index]) });
      await chain.get().time.advanceBy(Number(DEFAULT_START_DELAY_SECONDS));
      const committed = [];
      for (const [index, trainer] of trainers.slice(0, 2).entries())
        committed.push(await commitUpdate(trainer, { jobId, updateCid: await uniqueCid(`silent ${index}`), samples: 10 }));
      await chain.get().time.advanceBy(WINDOW);
      for (const [index, trainer] of trainers.slice(0, 2).entries())
        await revealUpdate(trainer, { jobId, updateCid: committed[index]!.updateCid, samples: 10, salt: committed[index]!.salt });
      await chain.get().time.advanceBy(WINDOW);
      // Only trainer 0 attests; trainer 1 stays silent through the whole attest window.
      await attestAggregate(trainers[0]!, {
        jobId,
        aggregateCid: await uniqueCid("silent aggregate"),
        includedMask: 1n,
        slashMask: 0n,
        includedSamples: 10,
      });
      await chain.get().time.advanceBy(WINDOW);
      const finalized = await finalizeRound(keeper, { jobId });
      expect(finalized).to.deep.include({ succeeded: true, early: false });
      const settled = await settleTrainer(keeper, { jobId, trainer: trainers[1]!.account.address });
      expect(settled).to.deep.include({ penalty: usdc("0.05"), reason: "silent" });
      expect((await getTrainer(trainers[1]!, { jobId })).stake).to.equal(usdc("4.95"));
      const again = await rejection(settleTrainer(keeper, { jobId, trainer: trainers[1]!.account.address }));
      expect((again as ContractRevertedError).errorName).to.equal("NothingToSettle");

      // Trainer 0 claims round 0 and then idles: three rounds without a reveal make it evictable.
      await claimRewards(trainers[0]!, { jobId });
      const notIdle = await rejection(evictTrainer(keeper, { jobId, trainer: trainers[0]!.account.address }));
      expect((notIdle as ContractRevertedError).errorName).to.equal("NotIdle");
      for (let round = 1; round <= 3; round++) {
        await chain.get().time.advanceBy(3 * WINDOW);
        await finalizeRound(keeper, { jobId });
      }
      expect((await getTrainer(trainers[0]!, { jobId })).evictable).to.equal(true);
      const before = await balanceOf(trainers[0]!.account.address);
      const evicted = await evictTrainer(keeper, { jobId, trainer: trainers[0]!.account.address });
      // Eviction costs IDLE_BPS (1%) of the stake, so holding an index while idle is never free.
      expect(evicted).to.deep.include({ index: 0n, amount: usdc("4.95") });
      expect(evicted.penalties).to.deep.equal([{ round: 4n, reason: "idle", amount: usdc("0.05") }]);
      expect(await balanceOf(trainers[0]!.account.address)).to.equal(before + usdc("4.95"));
      expect((await getTrainer(trainers[0]!, { jobId })).status).to.equal("withdrawn");
    });

    it("typed errors: unknown job, wrong asset kind, a sponsor who cannot fund the pool", async () => {
      const unknown = await rejection(getJob(sponsor, { jobId: 9_999 }));
      expect(unknown).to.be.instanceOf(JobNotFoundError);
      expect((unknown as JobNotFoundError).jobId).to.equal(9_999n);
      const wrongKind = await rejection(createJob(sponsor, { ...(await jobParameters()), datasetId: baseModelId }));
      expect((wrongKind as ContractRevertedError).errorName).to.equal("WrongAssetKind");
      expect(wrongKind.message).to.contain(`Asset ${baseModelId} is a model, but the job needs a dataset there.`);
      const poor = await rejection(createJob(keeper, await jobParameters()));
      expect(poor).to.be.instanceOf(InsufficientBalanceError);
      expect((poor as InsufficientBalanceError).needed).to.equal(usdc("20"));
    });
  });
});
