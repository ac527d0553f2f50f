/**
 * The scripted scenario of the indexer's tests: a short story through the asset economy that makes every contract emit
 * every event the indexer handles at least once, with values chosen so that each aggregate is non-trivial (two payment
 * tokens with 6 and 18 decimals, fees to three parties, lineage, a manifest update, state changes, an NFT transfer
 * that moves the rights, a protocol fee change, an ownership handover; a five-round training job with weights at their
 * cap, an early finalization, a losing tuple, a late reveal, silence, a slash, an eviction and a rejoin that reuses a
 * freed index, sweeps, and a remainder refund with burned forfeits; at last a listing and a dispenser that lapse when
 * their NFT changes hands).
 *
 * Returns the receipts of every step by name, so the tests can check blocks, timestamps and transaction hashes.
 */
import { assetRegistryAbi, datatokenAbi, marketplaceAbi, testPaymentTokenAbi, trainingJobsAbi } from "@mycelium/client/abis";
import {
  keccak256,
  maxUint256,
  parseEventLogs,
  toHex,
  zeroAddress,
  zeroHash,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  type TransactionReceipt,
} from "viem";
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
  updateT2R1: {
    hex: "0x01a90212207ceceed34cad01d82454c98c7292c5d291e591a1435ac156defa38e1935d6170",
    cid: "baguqeeraptwo5u2mvua5qjcuzgghfewf2ki6lenbinnmcvw67i4ode25mfya",
  },
  updateT3R1: {
    hex: "0x01a9021220047ef843e196e695d2201749961f5a1385d21da4f6001656840c94f60abe8df5",
    cid: "baguqeeraar7pqq7bs3tjlurac5ezmh22coc5ehne6yabmvuebskpmcv6rx2q",
  },
  aggregateR1: {
    hex: "0x01a902122046798173db4b4eaccf81db41574ebe12802d562a0ebf376fe7c480a0ab0d5db9",
    cid: "baguqeeraiz4yc463jnhkzt4b3navotv6ckac2vrkb27to37hysakbkynlw4q",
  },
  aggregateR1Losing: {
    hex: "0x01a9021220c6bbdb1aea39c4052e6bca0f92db7c222dbc72c93511d145ddd1621b64598259",
    cid: "baguqeeray255wgxkhhcakltlzihzfw34eiw3y4wjgui5cro52frbwzczqjmq",
  },
  updateT1R2: {
    hex: "0x01a9021220c056801568ad918e9295c68c90c281237d0aead88b3ebb971e8dcaabb937c333",
    cid: "baguqeeraybliaflivwiy5euvy2gjbquben6qv2wyrm7lxfy6rxfkxojxymzq",
  },
  updateT2R2: {
    hex: "0x01a90212205e42582b700a2a3792ddc56f7853431378f45aa75be357d07eb1e06fdfbbfa22",
    cid: "baguqeeralzbfqk3qbivdpew5yvxxqu2dcn4piwvhlprvpud6whqg7x537ira",
  },
  updateT1R3: {
    hex: "0x01a90212208d5f269ea5c5550ff747e2fd924d5c6c61e53c873e9ee97eb9923b7cf3c451fe",
    cid: "baguqeerarvpsnhvfyvkq752h4l6zetk4nrq6kpehh2pos7vzsi5xz46ekh7a",
  },
  aggregateR3: {
    hex: "0x01a9021220dabfccd42b1f40e00f46742f29d79d7e793d4f3e15f506dda33e70bd7da74e75",
    cid: "baguqeera3k74zvbld5aoad2goqxstv45pz4t2tz6cx2qnxndhzyl27nhjz2q",
  },
  updateT1R4: {
    hex: "0x01a90212203711f3d7d6cfae04c447800fb5fb02713d01d6b974e65c3ebd4e60cfe0d02fcc",
    cid: "baguqeerag4i7hv6wz6xajrchqah3l6ycoe6qdvvzottfypv5jzqm7ygqf7ga",
  },
  updateT4R4: {
    hex: "0x01a90212205104ee430b789e39659ec6abb6864e462bb93b7d978bd3c7141b6612c48fbc4a",
    cid: "baguqeerakeco4qylpcpdszm6y2v3nbsoiyv3so35s6f5hryudntbfrepxrfa",
  },
  aggregateR4: {
    hex: "0x01a902122096ecd13362ed2a176280c909b956e433157af0a49389d106c644b6060208d778",
    cid: "baguqeeras3wncm3c5uvboyuazee3svxegmkxv4fesoe5cbwgis3amaqi254a",
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
  t4: Address;
};

/**
 * The training job's parameters (job 1; job 2 is the same, starting much later, and is cancelled). One token (the
 * devnet's 6-decimal USD) for rewards and stakes; T2's 3 USD stake weighs 2 minimum stakes (the cap).
 */
export const JOB = {
  rewardPerRound: 100n * USD,
  numRounds: 5,
  commitWindow: 100,
  revealWindow: 100,
  attestWindow: 100,
  claimPeriod: 100,
  quorumBps: 5_500,
  participationBps: 5_000,
  weightCap: 2,
  maxTrainers: 8,
  maxSamples: 1_000,
  minStake: USD,
  /** The fewest the contract accepts: minStake x auditsPerRound >= 2 x rewardPerRound. */
  auditsPerRound: 200,
  stakes: { t1: 2n * USD, t2: 3n * USD, t3: USD, t4: USD, t4Again: 2n * USD },
  samples: {
    t1r0: 600n,
    t2r0: 400n,
    t3r0: 100n,
    t1r1: 500n,
    t2r1: 400n,
    t3r1: 300n,
    t1r2: 200n,
    t2r2: 100n,
    t1r3: 700n,
    t1r4: 800n,
    t4r4: 900n,
  },
} as const;

/** The quorum weight of a stake in job 1: capped at `weightCap` minimum stakes, in 2^-16 minimum stakes. */
export function weightOf(stake: bigint): bigint {
  const weight = (stake << 16n) / JOB.minStake;
  const cap = BigInt(JOB.weightCap) << 16n;
  return weight < cap ? weight : cap;
}

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

  // ---- Training: job 1 runs five rounds; job 2 is cancelled before it starts. ----
  //
  // Round 0: T1, T2, T3 commit; T1 and T2 reveal; T3 reveals late (a penalty, no weight); T1 and T2 attest the same
  //   tuple and, everyone who revealed on time having attested, the round is finalized early. T1 claims, T2 never does.
  // Round 1: the three reveal on time; T1 and T3 attest tuple 1, T2 another one (tuple 2): tuple 1 leads and wins. T3
  //   never claims its share (swept after the end).
  // Round 2: T2's commit settles its losing attestation (a penalty); T2 never reveals and is slashed; T1 reveals and
  //   stays silent; T3 leaves. Nobody attests: the round fails and its reward goes to the carry.
  // Round 3: T1's commit settles its silence (a penalty); T4, idle since it joined, is evicted and joins again (it gets
  //   index 1, freed by T2's slash); round 0's unclaimed share is swept; T3 withdraws. T1 alone attests and wins the
  //   reward, the carry and the forfeits.
  // Round 4: T1 and T4 reveal, T4 alone attests and wins. After the end and its claim period: T1's withdrawal settles
  //   its silence (a penalty after the last round: burned), round 1 is swept, the remainder refunded, the model published.
  const trainingJobs = chain.contract("TrainingJobs");
  const [t1, t2, t3, t4] = chain.accounts.slice(5, 9) as [Address, Address, Address, Address];
  const jobParams = async (startsIn: number) => {
    const latest = await chain.publicClient.getBlock();
    return {
      datasetId: 1n,
      baseModelId: 3n,
      baseModelCid: MANIFESTS.model3.hex,
      specCid: MANIFESTS.jobSpec.hex,
      token: usd,
      rewardPool: JOB.rewardPerRound * BigInt(JOB.numRounds),
      rewardPerRound: JOB.rewardPerRound,
      minStake: JOB.minStake,
      numRounds: JOB.numRounds,
      commitWindow: JOB.commitWindow,
      revealWindow: JOB.revealWindow,
      attestWindow: JOB.attestWindow,
      claimPeriod: JOB.claimPeriod,
      quorumBps: JOB.quorumBps,
      participationBps: JOB.participationBps,
      weightCap: JOB.weightCap,
      maxTrainers: JOB.maxTrainers,
      maxSamples: JOB.maxSamples,
      startTime: latest.timestamp + BigInt(startsIn),
      auditsPerRound: JOB.auditsPerRound,
    };
  };
  type JobsFunction = ContractFunctionName<typeof trainingJobsAbi, "nonpayable">;
  const jobs = <functionName extends JobsFunction>(
    from: Address,
    functionName: functionName,
    args: ContractFunctionArgs<typeof trainingJobsAbi, "nonpayable" | "payable", functionName>,
  ) => send(chain, from, trainingJobs, trainingJobsAbi, functionName, args);
  await step("mintUsdAlice", send(chain, alice, usd, testPaymentTokenAbi, "mint", [alice, 1_000n * USD]));
  await step("approveUsdJobsAlice", send(chain, alice, usd, testPaymentTokenAbi, "approve", [trainingJobs, maxUint256]));
  const params = await jobParams(300);
  await step("createJob", jobs(alice, "createJob", [params]));
  await step("createJob2", jobs(alice, "createJob", [await jobParams(100_000)]));
  await step("cancelJob2", jobs(alice, "cancelJob", [2n]));

  for (const [name, trainer, stake, port] of [
    ["T1", t1, JOB.stakes.t1, 4001],
    ["T2", t2, JOB.stakes.t2, 4002],
    ["T3", t3, JOB.stakes.t3, 4003],
    ["T4", t4, JOB.stakes.t4, 4004],
  ] as const) {
    await step(`mintUsd${name}`, send(chain, trainer, usd, testPaymentTokenAbi, "mint", [trainer, 10n * USD]));
    await step(`approveUsd${name}`, send(chain, trainer, usd, testPaymentTokenAbi, "approve", [trainingJobs, maxUint256]));
    await step(`join${name}`, jobs(trainer, "join", [1n, stake, peerIdOf(name), [multiaddrOf(port)]]));
  }
  await step("updatePeerInfo", jobs(t1, "updatePeerInfo", [1n, peerIdOf("T1 moved"), [multiaddrOf(5001), multiaddrOf(5002)]]));

  // Commitments are bound to the chain, the contract, the job and the round: the contract computes them.
  const salt = (label: string) => keccak256(toHex(`salt:${label}`));
  const commit = async (label: string, trainer: Address, round: bigint, cid: Hex, samples: bigint) => {
    const hash = await chain.publicClient.readContract({
      address: trainingJobs,
      abi: trainingJobsAbi,
      functionName: "computeCommitment",
      args: [1n, round, cid, samples, salt(label), trainer],
    });
    return step(`commit${label}`, jobs(trainer, "commit", [1n, round, hash]));
  };
  const reveal = (label: string, trainer: Address, round: bigint, cid: Hex, samples: bigint) =>
    step(`reveal${label}`, jobs(trainer, "reveal", [1n, round, cid, samples, salt(label)]));
  // A tuple: aggregate, inclusion mask and included samples (the slash mask is empty: nobody fails an audit here).
  type Tuple = readonly [Hex, bigint, bigint];
  const attest = (label: string, trainer: Address, round: bigint, tuple: Tuple) =>
    step(`attest${label}`, jobs(trainer, "attest", [1n, round, ...tuple, 0n]));
  // `finalize` names the leading tuple (nothing when nobody attested); the round's next one starts in its block.
  const finalize = async (round: bigint, caller: Address, leader: Tuple = ["0x", 0n, 0n]) => {
    const mined = await step(`finalizeR${round}`, jobs(caller, "finalize", [1n, round, ...leader, 0n]));
    return (await chain.publicClient.getBlock({ blockNumber: mined.blockNumber })).timestamp;
  };
  const windows = (start: bigint) => ({
    reveal: start + BigInt(JOB.commitWindow),
    attest: start + BigInt(JOB.commitWindow + JOB.revealWindow),
    end: start + BigInt(JOB.commitWindow + JOB.revealWindow + JOB.attestWindow),
  });
  const { samples } = JOB;

  // Round 0.
  await setNextBlockTime(chain, params.startTime);
  await commit("T1R0", t1, 0n, MANIFESTS.updateT1R0.hex, samples.t1r0);
  await commit("T2R0", t2, 0n, MANIFESTS.updateT2R0.hex, samples.t2r0);
  await commit("T3R0", t3, 0n, MANIFESTS.updateT3R0.hex, samples.t3r0);
  const round0 = windows(params.startTime);
  await setNextBlockTime(chain, round0.reveal);
  await reveal("T1R0", t1, 0n, MANIFESTS.updateT1R0.hex, samples.t1r0);
  await reveal("T2R0", t2, 0n, MANIFESTS.updateT2R0.hex, samples.t2r0);
  await setNextBlockTime(chain, round0.attest);
  await reveal("T3R0", t3, 0n, MANIFESTS.updateT3R0.hex, samples.t3r0);
  const tuple0: Tuple = [MANIFESTS.aggregateR0.hex, 0b11n, samples.t1r0 + samples.t2r0];
  await attest("T1R0", t1, 0n, tuple0);
  await attest("T2R0", t2, 0n, tuple0);
  const round1Start = await finalize(0n, dave, tuple0);
  await step("claimT1R0", jobs(t1, "claim", [1n, [0n]]));

  // Round 1.
  await commit("T1R1", t1, 1n, MANIFESTS.updateT1R1.hex, samples.t1r1);
  await commit("T2R1", t2, 1n, MANIFESTS.updateT2R1.hex, samples.t2r1);
  await commit("T3R1", t3, 1n, MANIFESTS.updateT3R1.hex, samples.t3r1);
  const round1 = windows(round1Start);
  await setNextBlockTime(chain, round1.reveal);
  await reveal("T1R1", t1, 1n, MANIFESTS.updateT1R1.hex, samples.t1r1);
  await reveal("T2R1", t2, 1n, MANIFESTS.updateT2R1.hex, samples.t2r1);
  await reveal("T3R1", t3, 1n, MANIFESTS.updateT3R1.hex, samples.t3r1);
  await setNextBlockTime(chain, round1.attest);
  const tuple1: Tuple = [MANIFESTS.aggregateR1.hex, 0b101n, samples.t1r1 + samples.t3r1];
  await attest("T1R1", t1, 1n, tuple1);
  await attest("T2R1", t2, 1n, [MANIFESTS.aggregateR1Losing.hex, 0b111n, samples.t1r1 + samples.t2r1 + samples.t3r1]);
  await attest("T3R1", t3, 1n, tuple1);
  await setNextBlockTime(chain, round1.end);
  const round2Start = await finalize(1n, carol, tuple1);

  // Round 2.
  await commit("T1R2", t1, 2n, MANIFESTS.updateT1R2.hex, samples.t1r2);
  await commit("T2R2", t2, 2n, MANIFESTS.updateT2R2.hex, samples.t2r2);
  await step("leaveT3", jobs(t3, "leave", [1n]));
  const round2 = windows(round2Start);
  await setNextBlockTime(chain, round2.reveal);
  await reveal("T1R2", t1, 2n, MANIFESTS.updateT1R2.hex, samples.t1r2);
  await setNextBlockTime(chain, round2.end);
  await step("slashT2", jobs(dave, "slash", [1n, 2n, t2]));
  const round3Start = await finalize(2n, carol);

  // Round 3.
  await commit("T1R3", t1, 3n, MANIFESTS.updateT1R3.hex, samples.t1r3);
  await step("evictT4", jobs(dave, "evict", [1n, t4]));
  await step("rejoinT4", jobs(t4, "join", [1n, JOB.stakes.t4Again, peerIdOf("T4 again"), [multiaddrOf(6004)]]));
  await step("sweepR0", jobs(carol, "sweep", [1n, 0n]));
  await step("withdrawT3", jobs(t3, "withdraw", [1n]));
  const round3 = windows(round3Start);
  await setNextBlockTime(chain, round3.reveal);
  await reveal("T1R3", t1, 3n, MANIFESTS.updateT1R3.hex, samples.t1r3);
  await setNextBlockTime(chain, round3.attest);
  const tuple3: Tuple = [MANIFESTS.aggregateR3.hex, 0b1n, samples.t1r3];
  await attest("T1R3", t1, 3n, tuple3);
  await setNextBlockTime(chain, round3.end);
  const round4Start = await finalize(3n, dave, tuple3);

  // Round 4, the last.
  await step("claimT1", jobs(t1, "claim", [1n, [1n, 3n]]));
  await commit("T1R4", t1, 4n, MANIFESTS.updateT1R4.hex, samples.t1r4);
  await commit("T4R4", t4, 4n, MANIFESTS.updateT4R4.hex, samples.t4r4);
  const round4 = windows(round4Start);
  await setNextBlockTime(chain, round4.reveal);
  await reveal("T1R4", t1, 4n, MANIFESTS.updateT1R4.hex, samples.t1r4);
  await reveal("T4R4", t4, 4n, MANIFESTS.updateT4R4.hex, samples.t4r4);
  await setNextBlockTime(chain, round4.attest);
  const tuple4: Tuple = [MANIFESTS.aggregateR4.hex, 0b10n, samples.t4r4];
  await attest("T4R4", t4, 4n, tuple4);
  await setNextBlockTime(chain, round4.end);
  const endedAt = await finalize(4n, dave, tuple4);
  await step("claimT4R4", jobs(t4, "claim", [1n, [4n]]));

  // After the end plus the claim period: stakes return, unpaid rewards are swept, the sponsor gets the carry back (the
  // forfeits left are burned), the model is published.
  await setNextBlockTime(chain, endedAt + BigInt(JOB.claimPeriod));
  await step("withdrawT1", jobs(t1, "withdraw", [1n]));
  await step("withdrawT4", jobs(t4, "withdraw", [1n]));
  await step("sweepR1", jobs(bob, "sweep", [1n, 1n]));
  await step("refundRemainder", jobs(bob, "refundRemainder", [1n]));
  await step("publishResult", jobs(bob, "publishResult", [1n]));

  // Carol lists her model and opens a dispenser, then gives the NFT to Dave: both lapse (a new owner epoch).
  await step("listModel3", send(chain, carol, marketplace, marketplaceAbi, "setListing", [3n, usd, 2n * USD]));
  await step("setDispenserModel3", send(chain, carol, marketplace, marketplaceAbi, "setDispenser", [3n, 1n]));
  await step("transferModel3", send(chain, carol, registry, assetRegistryAbi, "transferFrom", [carol, dave, 3n]));

  return {
    actors: { admin, alice, bob, carol, dave, t1, t2, t3, t4 },
    dai,
    datatokens: { asset1: dt1, asset2: dt2, asset3: dt3 },
    trainingJobs,
    steps,
    receipts,
  };
}

/** The next block gets exactly this timestamp. */
async function setNextBlockTime(chain: TestChain, timestamp: bigint): Promise<void> {
  await chain.publicClient.request({ method: "evm_setNextBlockTimestamp", params: [`0x${timestamp.toString(16)}`] } as never);
}
