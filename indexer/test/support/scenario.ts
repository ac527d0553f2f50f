/**
 * The scripted scenario of the indexer's tests: a short story through the asset economy that makes every contract emit
 * every event the indexer handles at least once, with values chosen so that each aggregate is non-trivial (two payment
 * tokens with 6 and 18 decimals, fees to three parties, lineage, a manifest update, state changes, an NFT transfer
 * that moves the rights, a protocol fee change, an ownership handover).
 *
 * Returns the receipts of every step by name, so the tests can check blocks, timestamps and transaction hashes.
 */
import { assetRegistryAbi, datatokenAbi, marketplaceAbi, testPaymentTokenAbi, trainingJobsAbi } from "@mycelium/client/abis";
import { keccak256, maxUint256, parseEventLogs, toHex, zeroAddress, zeroHash, type Address, type Hex, type TransactionReceipt } from "viem";
import { deployPaymentToken, send, type TestChain } from "./chain.ts";

/** Binary CIDs of the scenario's manifests (dag-json, sha2-256) and their string forms. */
export const MANIFESTS = {
  datasetV1: {
    hex: "0x01a90212208ce0c58dfa6dbf21fae7c8ea634814d1ccb97c9e51d0467e94afff2dd6dfe488",
    cid: "baguqeerartqmldp2nw7sd6xhzdvggsau2hgls7e6khiem7uuv77s3vw74sea",
  },
  datasetV2: {
    hex: "0x01a9021220afc3be1a993115b0d3d9b370b4008c5c87f4ac230fb4e8fe687b7a8a0b0eefc1",
    cid: "baguqeerav7b34guzgek3bu6zwnyliaemlsd7jlbdb62or7tipn5iucyo57aq",
  },
  modelV1: {
    hex: "0x01a902122014afbff921072e99913c32eebcb6bf9ff5a76a636197aab0dbbef22420cd96c5",
    cid: "baguqeeracsx376jba4xjtej4glxlznv7t722o2tdmgl2vmg3x3zciigns3cq",
  },
  model3: {
    hex: "0x01a90212204dbd4d7359c0d85af839b35ff80cb1623ce1773a5be30dbc0cd80db3400e6f60",
    cid: "baguqeerajw6u242zydmfv6bzwnp7qdfrmi6oc5z2lprq3pam3ag3gqaon5qa",
  },
  jobSpec: {
    hex: "0x01a902122078344967bb55c3f12f2a8f001766c1a3e2ba5b80886693b0d66222673af89a9a",
    cid: "baguqeerapa2esz53kxb7clzkr4abozwbuprluw4arbtjhmgwmirgooxytkna",
  },
  updateT1R0: {
    hex: "0x01a9021220f1a0ff56ad8abc70c77a495813d0456846b88078c5764e6c9e18cc808bfc5fb0",
    cid: "baguqeera6gqp6vvnrk6hbr32jfmbhucfnbdlradyyv3e43e6ddgibc74l6ya",
  },
  updateT2R0: {
    hex: "0x01a9021220611c9eef810e2dbc214af3ed3fca6f1d3e87c1d90112407e733da43ea4d37132",
    cid: "baguqeerameoj534bbyw3yikk6pwt7stpdu7ipqozaejea7tthwsd5jgtoeza",
  },
  updateT3R0: {
    hex: "0x01a902122081a9246f2cda1b9d9cf6bfa8c4964459ef954e9be0e87e577a91522a051803c8",
    cid: "baguqeeraqgusi3zm3inz3hhwx6umjfselhxzktu34duh4v32sfjcubiyapea",
  },
  aggregateR0: {
    hex: "0x01a9021220f11af7995c64751816fe15ba3a40ed380eab6154c673cdf37c7a2fe71e2d9964",
    cid: "baguqeera6enppgk4mr2rqfx6cw5duqhnhahkwykuyzz43434pix6ohrntfsa",
  },
  updateT1R1: {
    hex: "0x01a90212201ddaa60f2b56124ecdb96d675c4b69e86e59b17f587e6b0c5a22454dc130e1bb",
    cid: "baguqeeradxnkmdzlkyje5tnznvtvys3j5bxftml7lb7gwdc2ejcu3qjq4g5q",
  },
} as const satisfies Record<string, { hex: Hex; cid: string }>;

export const ONE = 10n ** 18n;
export const USD = 10n ** 6n;

export type ScenarioActors = {
  admin: Address;
  alice: Address;
  bob: Address;
  carol: Address;
  dave: Address;
  /** Trainers of the training job. */
  t1: Address;
  t2: Address;
  t3: Address;
};

/** The training job's parameters (job 1; job 2 is the same, starting much later, and is cancelled). */
export const JOB = {
  rewardPerRound: 100n * 10n ** 6n,
  numRounds: 2,
  commitWindow: 100,
  revealWindow: 100,
  attestWindow: 100,
  quorumBps: 6_000,
  maxTrainers: 8,
  maxSamples: 1_000,
  minStake: 10n ** 18n,
  stakes: { t1: 2n * 10n ** 18n, t2: 3n * 10n ** 18n, t3: 10n ** 18n },
  samples: { t1r0: 600n, t2r0: 400n, t1r1: 500n },
} as const;

/** A binary libp2p peer id (identity multihash of an Ed25519 key) derived from a label. */
export function peerIdOf(label: string): Hex {
  return `0x002408011220${keccak256(toHex(label)).slice(2)}`;
}

/** A binary multiaddr `/ip4/127.0.0.1/tcp/<port>`. */
export function multiaddrOf(port: number): Hex {
  return `0x047f00000106${port.toString(16).padStart(4, "0")}`;
}

export type ScenarioResult = {
  actors: ScenarioActors;
  /** The 18-decimal payment token the scenario deploys. */
  dai: Address;
  datatokens: { asset1: Address; asset2: Address; asset3: Address };
  trainingJobs: Address;
  /** Receipts by step name, in the order the steps ran. */
  steps: Map<string, TransactionReceipt>;
  /** Every receipt, in order (setup transactions included). */
  receipts: TransactionReceipt[];
};

export async function runScenario(chain: TestChain): Promise<ScenarioResult> {
  const [admin, alice, bob, carol, dave] = chain.accounts as [Address, Address, Address, Address, Address];
  const { registry, marketplace, usd } = chain;
  const steps = new Map<string, TransactionReceipt>();
  const receipts: TransactionReceipt[] = [];
  const step = async (name: string, receipt: Promise<TransactionReceipt>) => {
    const mined = await receipt;
    steps.set(name, mined);
    receipts.push(mined);
    return mined;
  };
  const datatokenCreated = (receipt: TransactionReceipt) =>
    parseEventLogs({ abi: assetRegistryAbi, eventName: "DatatokenCreated", logs: receipt.logs })[0]!.args.datatoken;

  // Money for the buyers.
  await step("mintUsdBob", send(chain, bob, usd, testPaymentTokenAbi, "mint", [bob, 1_000n * USD]));
  await step("approveUsdBob", send(chain, bob, usd, testPaymentTokenAbi, "approve", [marketplace, maxUint256]));

  // Alice publishes a dataset with its datatoken and a 2.5 USD listing in one transaction.
  const published = await step(
    "publishDataset",
    send(chain, alice, registry, assetRegistryAbi, "publishWithDatatokenAndListing", [
      0,
      MANIFESTS.datasetV1.hex,
      [],
      { accessPeriod: 86_400n, initialSupply: 100n * ONE },
      { marketplace, paymentToken: usd, price: 2_500_000n },
    ]),
  );
  const dt1 = datatokenCreated(published);

  // Alice publishes a model trained on it, for Dave; Dave creates its datatoken, mints, and lists it in DAI.
  await step("publishModel", send(chain, alice, registry, assetRegistryAbi, "publish", [dave, 1, MANIFESTS.modelV1.hex, [1n]]));
  const created = await step(
    "createDatatoken2",
    send(chain, dave, registry, assetRegistryAbi, "createDatatoken", [2n, { accessPeriod: 0n, initialSupply: 0n }]),
  );
  const dt2 = datatokenCreated(created);
  await step("mintDatatoken2", send(chain, dave, dt2, datatokenAbi, "mint", [dave, 5n * ONE]));
  await step("approveDatatoken2", send(chain, dave, dt2, datatokenAbi, "approve", [marketplace, 5n * ONE]));
  const dai = await deployPaymentToken(chain, admin, "Test DAI", "tDAI", 18);
  await step("mintDaiCarol", send(chain, carol, dai, testPaymentTokenAbi, "mint", [carol, 100n * ONE]));
  await step("listModel", send(chain, dave, marketplace, marketplaceAbi, "setListing", [2n, dai, 3n * ONE]));
  await step("relistModel", send(chain, dave, marketplace, marketplaceAbi, "setListing", [2n, dai, 4n * ONE]));

  // A new manifest version for the dataset.
  await step("updateManifest", send(chain, alice, registry, assetRegistryAbi, "updateManifest", [1n, MANIFESTS.datasetV2.hex]));

  // Bob buys three dataset tokens through Carol's consume market (1% market fee), and orders access for Carol.
  await step("buyDataset", send(chain, bob, marketplace, marketplaceAbi, "buy", [1n, 3n, usd, 100n * USD, carol, 100]));
  await step("orderDataset", send(chain, bob, dt1, datatokenAbi, "order", [carol]));

  // Carol buys and orders the model in one transaction, paying in DAI from an allowance (a permit with deadline 0
  // means "use my allowance"; the permit itself emits nothing the indexer reads).
  await step("approveDaiCarol", send(chain, carol, dai, testPaymentTokenAbi, "approve", [marketplace, 5n * ONE]));
  const noPermit = { value: 0n, deadline: 0n, v: 0, r: zeroHash, s: zeroHash };
  await step(
    "buyAndOrderModel",
    send(chain, carol, marketplace, marketplaceAbi, "buyAndOrder", [2n, carol, dai, 5n * ONE, zeroAddress, 0, noPermit]),
  );

  // A dispenser for the dataset: Dave takes two free tokens, then it closes; the listing closes too.
  await step("setDispenser", send(chain, alice, marketplace, marketplaceAbi, "setDispenser", [1n, 2n]));
  await step("dispense", send(chain, dave, marketplace, marketplaceAbi, "dispense", [1n, 2n]));
  await step("closeDispenser", send(chain, alice, marketplace, marketplaceAbi, "closeDispenser", [1n]));
  await step("closeListing", send(chain, alice, marketplace, marketplaceAbi, "closeListing", [1n]));

  // Alice approves Bob and Carol on her NFT, then gives the dataset to Bob (the approval goes with the transfer).
  await step("approveAsset", send(chain, alice, registry, assetRegistryAbi, "approve", [bob, 1n]));
  await step("approveForAll", send(chain, alice, registry, assetRegistryAbi, "setApprovalForAll", [carol, true]));
  await step("transferAsset", send(chain, alice, registry, assetRegistryAbi, "transferFrom", [alice, bob, 1n]));

  // Dave deprecates, then revokes the model.
  await step("deprecateModel", send(chain, dave, registry, assetRegistryAbi, "setState", [2n, 1]));
  await step("revokeModel", send(chain, dave, registry, assetRegistryAbi, "setState", [2n, 2]));

  // Bob approves Carol on his dataset tokens and gives her one.
  await step("approveDatatoken1", send(chain, bob, dt1, datatokenAbi, "approve", [carol, ONE]));
  await step("transferDatatoken1", send(chain, bob, dt1, datatokenAbi, "transfer", [carol, ONE]));

  // The marketplace changes hands (two steps) and its new owner sets a 0.5% fee paid to itself.
  await step("transferOwnership", send(chain, admin, marketplace, marketplaceAbi, "transferOwnership", [dave]));
  await step("acceptOwnership", send(chain, dave, marketplace, marketplaceAbi, "acceptOwnership", []));
  await step("setProtocolFee", send(chain, dave, marketplace, marketplaceAbi, "setProtocolFee", [dave, 50]));

  // Bob, the dataset's owner now, lists his last token at 1 USD and Carol buys it.
  await step("approveDatatoken1Market", send(chain, bob, dt1, datatokenAbi, "approve", [marketplace, ONE]));
  await step("listDatasetBob", send(chain, bob, marketplace, marketplaceAbi, "setListing", [1n, usd, 1_000_000n]));
  await step("mintUsdCarol", send(chain, carol, usd, testPaymentTokenAbi, "mint", [carol, 10n * USD]));
  await step("approveUsdCarol", send(chain, carol, usd, testPaymentTokenAbi, "approve", [marketplace, 10n * USD]));
  await step("buyDatasetCarol", send(chain, carol, marketplace, marketplaceAbi, "buy", [1n, 1n, usd, 2n * USD, zeroAddress, 0]));

  // Carol publishes a model with two parents and a datatoken, no listing.
  const third = await step(
    "publishModel3",
    send(chain, carol, registry, assetRegistryAbi, "publishWithDatatoken", [
      1,
      MANIFESTS.model3.hex,
      [1n, 2n],
      { accessPeriod: 600n, initialSupply: ONE },
    ]),
  );
  const dt3 = datatokenCreated(third);

  // ---- Training: job 1 runs two rounds (one succeeds, one fails); job 2 is cancelled before it starts. ----
  const trainingJobs = chain.contract("TrainingJobs");
  const [t1, t2, t3] = chain.accounts.slice(5, 8) as [Address, Address, Address];
  const jobParams = async (startsIn: number) => {
    const latest = await chain.publicClient.getBlock();
    return {
      datasetId: 1n,
      baseModelId: 3n,
      baseModelCid: MANIFESTS.model3.hex,
      specCid: MANIFESTS.jobSpec.hex,
      rewardToken: usd,
      rewardPool: JOB.rewardPerRound * BigInt(JOB.numRounds),
      rewardPerRound: JOB.rewardPerRound,
      stakeToken: dai,
      minStake: JOB.minStake,
      numRounds: JOB.numRounds,
      commitWindow: JOB.commitWindow,
      revealWindow: JOB.revealWindow,
      attestWindow: JOB.attestWindow,
      quorumBps: JOB.quorumBps,
      maxTrainers: JOB.maxTrainers,
      maxSamples: JOB.maxSamples,
      startTime: latest.timestamp + BigInt(startsIn),
    };
  };
  await step("mintUsdAlice", send(chain, alice, usd, testPaymentTokenAbi, "mint", [alice, 1_000n * USD]));
  await step("approveUsdJobsAlice", send(chain, alice, usd, testPaymentTokenAbi, "approve", [trainingJobs, maxUint256]));
  const params = await jobParams(60);
  await step("createJob", send(chain, alice, trainingJobs, trainingJobsAbi, "createJob", [params]));
  await step("createJob2", send(chain, alice, trainingJobs, trainingJobsAbi, "createJob", [await jobParams(100_000)]));
  await step("cancelJob2", send(chain, alice, trainingJobs, trainingJobsAbi, "cancelJob", [2n]));

  for (const [name, trainer, stake, port] of [
    ["T1", t1, JOB.stakes.t1, 4001],
    ["T2", t2, JOB.stakes.t2, 4002],
    ["T3", t3, JOB.stakes.t3, 4003],
  ] as const) {
    await step(`mintDai${name}`, send(chain, trainer, dai, testPaymentTokenAbi, "mint", [trainer, 10n * ONE]));
    await step(`approveDai${name}`, send(chain, trainer, dai, testPaymentTokenAbi, "approve", [trainingJobs, maxUint256]));
    await step(
      `join${name}`,
      send(chain, trainer, trainingJobs, trainingJobsAbi, "join", [1n, stake, peerIdOf(name), [multiaddrOf(port)]]),
    );
  }
  await step(
    "updatePeerInfo",
    send(chain, t1, trainingJobs, trainingJobsAbi, "updatePeerInfo", [1n, peerIdOf("T1 moved"), [multiaddrOf(5001), multiaddrOf(5002)]]),
  );

  // Round 0: three commit, two reveal, both attest the same tuple (quorum on the second), the third is slashed.
  const salt = (label: string) => keccak256(toHex(`salt:${label}`));
  const commitmentOf = (cid: Hex, samples: bigint, label: string, trainer: Address) =>
    chain.publicClient.readContract({
      address: trainingJobs,
      abi: trainingJobsAbi,
      functionName: "computeCommitment",
      args: [cid, samples, salt(label), trainer],
    });
  await setNextBlockTime(chain, params.startTime);
  await step(
    "commitT1R0",
    send(chain, t1, trainingJobs, trainingJobsAbi, "commit", [
      1n,
      0n,
      await commitmentOf(MANIFESTS.updateT1R0.hex, JOB.samples.t1r0, "t1r0", t1),
    ]),
  );
  await step(
    "commitT2R0",
    send(chain, t2, trainingJobs, trainingJobsAbi, "commit", [
      1n,
      0n,
      await commitmentOf(MANIFESTS.updateT2R0.hex, JOB.samples.t2r0, "t2r0", t2),
    ]),
  );
  await step(
    "commitT3R0",
    send(chain, t3, trainingJobs, trainingJobsAbi, "commit", [1n, 0n, await commitmentOf(MANIFESTS.updateT3R0.hex, 100n, "t3r0", t3)]),
  );
  const commitEnd0 = params.startTime + BigInt(JOB.commitWindow);
  const revealEnd0 = commitEnd0 + BigInt(JOB.revealWindow);
  await setNextBlockTime(chain, commitEnd0);
  await step(
    "revealT1R0",
    send(chain, t1, trainingJobs, trainingJobsAbi, "reveal", [1n, 0n, MANIFESTS.updateT1R0.hex, JOB.samples.t1r0, salt("t1r0")]),
  );
  await step(
    "revealT2R0",
    send(chain, t2, trainingJobs, trainingJobsAbi, "reveal", [1n, 0n, MANIFESTS.updateT2R0.hex, JOB.samples.t2r0, salt("t2r0")]),
  );
  await setNextBlockTime(chain, revealEnd0);
  const winning = [1n, 0n, MANIFESTS.aggregateR0.hex, 0b11n, JOB.samples.t1r0 + JOB.samples.t2r0] as const;
  await step("attestT1R0", send(chain, t1, trainingJobs, trainingJobsAbi, "attest", winning));
  await step("attestT2R0", send(chain, t2, trainingJobs, trainingJobsAbi, "attest", winning));
  await step("slashT3", send(chain, dave, trainingJobs, trainingJobsAbi, "slash", [1n, 0n, t3]));
  await step("finalizeR0", send(chain, dave, trainingJobs, trainingJobsAbi, "finalize", [1n, 0n]));
  await step("claimT1R0", send(chain, t1, trainingJobs, trainingJobsAbi, "claim", [1n, [0n]]));
  await step("claimT2R0", send(chain, t2, trainingJobs, trainingJobsAbi, "claim", [1n, [0n]]));
  await step("leaveT2", send(chain, t2, trainingJobs, trainingJobsAbi, "leave", [1n]));

  // Round 1: only T1 commits and reveals, nobody attests: the round fails and its reward rolls into the carry.
  const round1Start = (await chain.publicClient.getBlock({ blockNumber: receipt(steps, "finalizeR0").blockNumber })).timestamp;
  await step(
    "commitT1R1",
    send(chain, t1, trainingJobs, trainingJobsAbi, "commit", [
      1n,
      1n,
      await commitmentOf(MANIFESTS.updateT1R1.hex, JOB.samples.t1r1, "t1r1", t1),
    ]),
  );
  await setNextBlockTime(chain, round1Start + BigInt(JOB.commitWindow));
  await step(
    "revealT1R1",
    send(chain, t1, trainingJobs, trainingJobsAbi, "reveal", [1n, 1n, MANIFESTS.updateT1R1.hex, JOB.samples.t1r1, salt("t1r1")]),
  );
  await setNextBlockTime(chain, round1Start + BigInt(JOB.commitWindow + JOB.revealWindow + JOB.attestWindow));
  await step("finalizeR1", send(chain, carol, trainingJobs, trainingJobsAbi, "finalize", [1n, 1n]));

  // After the end: the sponsor gets the carry and the forfeited stake back, the model is published, stakes return.
  await step("refundRemainder", send(chain, bob, trainingJobs, trainingJobsAbi, "refundRemainder", [1n]));
  await step("publishResult", send(chain, bob, trainingJobs, trainingJobsAbi, "publishResult", [1n]));
  await step("withdrawT1", send(chain, t1, trainingJobs, trainingJobsAbi, "withdraw", [1n]));
  await step("withdrawT2", send(chain, t2, trainingJobs, trainingJobsAbi, "withdraw", [1n]));

  return {
    actors: { admin, alice, bob, carol, dave, t1, t2, t3 },
    dai,
    datatokens: { asset1: dt1, asset2: dt2, asset3: dt3 },
    trainingJobs,
    steps,
    receipts,
  };
}

function receipt(steps: Map<string, TransactionReceipt>, name: string): TransactionReceipt {
  const found = steps.get(name);
  if (found === undefined) throw new Error(`No scenario step ${name}`);
  return found;
}

/** The next block gets exactly this timestamp. */
async function setNextBlockTime(chain: TestChain, timestamp: bigint): Promise<void> {
  await chain.publicClient.request({ method: "evm_setNextBlockTimestamp", params: [`0x${timestamp.toString(16)}`] } as never);
}
