/**
 * Phase 1: the chain, the dataset's samples, the indexer (started here, awaited when the job is about to start) and a
 * Helia node per party on loopback, with a chain client for each.
 */
import path from "node:path";
import {
  createMyceliumClient,
  createStorageNode,
  formatAmount,
  readToken,
  type MyceliumClient,
  type MyceliumWalletClient,
  type StorageNode,
  type TokenDescription,
} from "@mycelium/client";
import { chainTime, devnetAccount, startDevnet, startIndexer, type ChainTime, type Devnet, type IndexerProcess } from "@mycelium/devkit";
import { parseUnits, type Account } from "viem";
import { loadDataset, type DemoDataset } from "../data.ts";
import type { PlayContext } from "../hub.ts";

/** Hardhat accounts of the parties (0 deployed the protocol; trainers from 4 on). */
export const ACCOUNTS = { publisher: 1, consumer: 2, sponsor: 3, firstTrainer: 4 } as const;

export type Infrastructure = {
  devnet: Devnet;
  /** The devnet's deployment as a file, for the trainer processes and the indexer. */
  deploymentFile: string;
  /** The devnet's clock (the job starts when everyone is ready). */
  time: ChainTime;
  dataset: DemoDataset;
  /** The indexer, starting; awaited when the job is about to start. */
  indexer: Promise<IndexerProcess>;
  nodes: { publisher: StorageNode; sponsor: StorageNode; consumer: StorageNode; observer: StorageNode };
  clients: { publisher: MyceliumWalletClient; consumer: MyceliumWalletClient; sponsor: MyceliumWalletClient; observer: MyceliumClient };
  token: TokenDescription;
  /** Whole tokens to the token's units, and back for people. */
  units: (amount: string) => bigint;
  money: (amount: bigint) => string;
};

export async function startInfrastructure(context: PlayContext): Promise<Infrastructure> {
  const { log, signal, teardown, workDir, run, step } = context;

  // The devnet compiles the contracts on a fresh clone (about 30 s), so the dataset is read and sharded meanwhile.
  const deploymentFile = path.join(workDir, "deployment.json");
  const devnetStarting = startDevnet({
    port: 0,
    deploymentFile,
    allowBlocksWithSameTimestamp: true,
    signal,
    onLog: (line) => log.output("chain", line),
  }).then((devnet) => {
    teardown.add("the chain", () => devnet.stop());
    return devnet;
  });
  const [devnetOutcome, datasetOutcome] = await Promise.allSettled([devnetStarting, loadDataset(context.parameters.data)]);
  if (devnetOutcome.status === "rejected") throw devnetOutcome.reason;
  if (datasetOutcome.status === "rejected") throw datasetOutcome.reason;
  const devnet = devnetOutcome.value;
  const dataset = datasetOutcome.value;
  context.milestone("chain");
  run.chain = {
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    contracts: Object.fromEntries(Object.entries(devnet.deployment.contracts).map(([name, contract]) => [name, contract.address])),
  };
  log.step(
    "chain",
    `devnet at ${devnet.rpcUrl} (chain ${devnet.chainId}), ` +
      `protocol deployed with Ignition: ${Object.keys(devnet.deployment.contracts).join(", ")}`,
  );
  log.step(
    "data",
    `${dataset.name} from ${dataset.origin}: ${dataset.train.count.toLocaleString("en")} training and ` +
      `${dataset.test.count.toLocaleString("en")} test samples`,
  );

  // The indexer may take long to start on a busy machine (PGlite opening its database): it is awaited only when the
  // job is about to start, and its start-up bounds nothing else.
  const indexer = startIndexer({
    deploymentFile,
    schema: "mycelium_demo",
    dataDir: path.join(workDir, "indexer"),
    signal,
    onLog: (line) => log.output("indexer", line.msg),
  });
  // Registered now, so a run that fails or is interrupted while Ponder starts still stops it. A failure to start
  // shows where the indexer is awaited; until then it must not count as unhandled.
  indexer.catch(() => undefined);
  teardown.add("the indexer", async () => (await indexer.catch(() => null))?.stop());

  const node = async (name: string, peers: readonly StorageNode[]) => {
    const created = await createStorageNode({
      dataDir: path.join(workDir, "ipfs", name),
      network: "loopback",
      peers: peers.flatMap((peer) => peer.multiaddrs),
      signal,
    });
    teardown.add(`the ${name}'s IPFS node`, () => created.stop());
    return created;
  };
  const publisherNode = await step(node("publisher", []), "Starting the publisher's IPFS node");
  const sponsorNode = await step(node("sponsor", [publisherNode]), "Starting the sponsor's IPFS node");
  const consumerNode = await step(node("consumer", [publisherNode]), "Starting the consumer's IPFS node");
  const observerNode = await step(node("observer", [publisherNode, sponsorNode]), "Starting the observer's IPFS node");
  log.step("ipfs", `Helia nodes on loopback: publisher, consumer, sponsor, observer (publisher at ${publisherNode.multiaddrs[0]})`);

  const clientFor = (account: Account) =>
    createMyceliumClient({ rpcUrl: devnet.rpcUrl, deployment: devnet.deployment, account, pollingInterval: 100 });
  const [publisher, consumer, sponsor, observer] = await step(
    Promise.all([
      clientFor(devnetAccount(ACCOUNTS.publisher)),
      clientFor(devnetAccount(ACCOUNTS.consumer)),
      clientFor(devnetAccount(ACCOUNTS.sponsor)),
      createMyceliumClient({ rpcUrl: devnet.rpcUrl, deployment: devnet.deployment, pollingInterval: 100 }),
    ]),
    "Connecting to the chain",
  );
  const token = await step(readToken(observer, devnet.deployment.contracts.PaymentToken!.address), "Reading the payment token");
  run.token = token;
  return {
    devnet,
    deploymentFile,
    time: chainTime(devnet.rpcUrl),
    dataset,
    indexer,
    nodes: { publisher: publisherNode, sponsor: sponsorNode, consumer: consumerNode, observer: observerNode },
    clients: { publisher, consumer, sponsor, observer },
    token,
    units: (amount) => parseUnits(amount, token.decimals),
    money: (amount) => formatAmount(amount, token),
  };
}
