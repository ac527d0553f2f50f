/**
 * The scripted scenario of the indexer's tests: a short story through the asset economy that makes every contract emit
 * every event the indexer handles at least once, with values chosen so that each aggregate is non-trivial (two payment
 * tokens with 6 and 18 decimals, fees to three parties, lineage, a manifest update, state changes, an NFT transfer
 * that moves the rights, a protocol fee change, an ownership handover).
 *
 * Returns the receipts of every step by name, so the tests can check blocks, timestamps and transaction hashes.
 */
import { assetRegistryAbi, datatokenAbi, marketplaceAbi, testPaymentTokenAbi } from "@mycelium/client/abis";
import { maxUint256, parseEventLogs, zeroAddress, zeroHash, type Address, type Hex, type TransactionReceipt } from "viem";
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
} as const satisfies Record<string, { hex: Hex; cid: string }>;

export const ONE = 10n ** 18n;
export const USD = 10n ** 6n;

export type ScenarioActors = { admin: Address; alice: Address; bob: Address; carol: Address; dave: Address };

export type ScenarioResult = {
  actors: ScenarioActors;
  /** The 18-decimal payment token the scenario deploys. */
  dai: Address;
  datatokens: { asset1: Address; asset2: Address; asset3: Address };
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
  await step(
    "buyDataset",
    send(chain, bob, marketplace, marketplaceAbi, "buy", [1n, 3n, usd, 100n * USD, carol, 100]),
  );
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

  return {
    actors: { admin, alice, bob, carol, dave },
    dai,
    datatokens: { asset1: dt1, asset2: dt2, asset3: dt3 },
    steps,
    receipts,
  };
}
