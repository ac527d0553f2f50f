/**
 * IPFS transfer benchmark (`npm run bench:ipfs`): moves 256 MiB of random bytes between two storage nodes on
 * loopback and compares with plain node:http serving the same bytes on loopback. Writes bench/results/ipfs.json.
 *
 * The serving side holds the content in a storage node (added to its blockstore-fs on disk) and the same bytes in a
 * Buffer behind a node:http server. The fetching side is a new storage node with an empty data directory for every
 * Helia run, so each block crosses the network, is verified against its CID and is written to disk (from where the
 * node serves it afterwards). One warm-up round, then RUNS rounds; the transports alternate; figures are medians.
 *
 * Two setups, same procedure:
 * - two processes (the headline figures): serving side in a child process, fetching side in this one, as two
 *   machines' nodes would be;
 * - one process (`sameProcess`): everything in this process, as the calibration figures of the issue were taken
 *   (Helia 7 defaults 77 MB/s, node:http 1,110 MB/s).
 *
 * - heliaMBps: `readBytes(node, cid)` on the fetching node: the client's default fetch path (peer gateway, bitswap
 *   fallback), from the first request to the last byte.
 * - httpMBps: one GET of the same bytes from node:http, counting the bytes as they arrive.
 * - ratio: heliaMBps / httpMBps.
 * - addMBps: `addBytes` of the 256 MiB into an empty storage node (chunking, hashing, writing every block to disk).
 * - bitswapMBps: the bitswap fallback alone (a serving node without a gateway), one run, for reference.
 * - cpuSeconds: CPU time (user + system, all threads) per transfer, medians, per side (one total in one process).
 *   On a shared machine the wall-clock figures move with other load; these show the work each path needs.
 * MB/s uses MB = 10^6 bytes. Temporary directories are removed at the end, also on failure.
 */
import type * as Client from "@mycelium/client";
import childProcess from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { writeBenchResult } from "@mycelium/devkit";

const BYTES = 256 * 1024 * 1024;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MB = 1e6;

type Serving = { cid: string; gatewayNode: string[]; bitswapNode: string[]; httpUrl: string; addSeconds: number[] };
type ServingSide = Serving & { cpuSeconds(): Promise<number>; stop(): Promise<void> };
type Cpu = { serving: number; fetching: number };

const loadClient = (): Promise<typeof Client> => import("@mycelium/client");
const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

/** The serving side: a storage node with the content (gateway on), one without gateway (bitswap only), node:http. */
async function startServing(dir: string): Promise<ServingSide> {
  const client = await loadClient();
  const bytes = crypto.randomBytes(BYTES);
  const addSeconds: number[] = [];
  const add = async (node: Client.StorageNode) => {
    const start = performance.now();
    const cid = await client.addBytes(node, bytes);
    addSeconds.push((performance.now() - start) / 1000);
    return cid;
  };
  const gatewayNode = await client.createStorageNode({ dataDir: path.join(dir, "serving") });
  const cid = await add(gatewayNode);
  const bitswapNode = await client.createStorageNode({ dataDir: path.join(dir, "serving-bitswap"), gateway: false });
  await add(bitswapNode);
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": bytes.byteLength });
    response.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    cid: cid.toString(),
    gatewayNode: gatewayNode.multiaddrs,
    bitswapNode: bitswapNode.multiaddrs,
    httpUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    addSeconds,
    cpuSeconds: async () => cpuSeconds(process.cpuUsage()),
    async stop() {
      server.closeAllConnections();
      server.close();
      await gatewayNode.stop();
      await bitswapNode.stop();
    },
  };
}

/** Runs the serving side in a child process (this file with `--serve <dir>`), driven over IPC. */
async function startServingProcess(dir: string): Promise<ServingSide> {
  const child = childProcess.fork(import.meta.filename, ["--serve", dir], { stdio: "inherit" });
  const serving = await new Promise<Serving>((resolve, reject) => {
    child.once("message", (message) => resolve(message as Serving));
    child.once("exit", (code) => reject(new Error(`the serving process exited with code ${code}`)));
  });
  return {
    ...serving,
    cpuSeconds: () =>
      new Promise<number>((resolve) => {
        child.once("message", (message) => resolve(message as number));
        child.send("cpu");
      }),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send("stop");
      await exited;
    },
  };
}

async function serveForParent(dir: string): Promise<void> {
  const side = await startServing(dir);
  process.on("message", async (message) => {
    if (message === "cpu") process.send!(await side.cpuSeconds());
    if (message === "stop") {
      await side.stop();
      process.exit(0);
    }
  });
  const { cpuSeconds: _cpu, stop: _stop, ...serving } = side;
  process.send!(serving);
}

function httpGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = 0;
    http
      .get(url, (response) => {
        response.on("data", (chunk: Buffer) => (received += chunk.byteLength));
        response.on("end", () => resolve(received));
        response.on("error", reject);
      })
      .on("error", reject);
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Alternating http and Helia transfers against one serving side; medians of the measured rounds. */
async function measureSetup(label: string, client: typeof Client, dir: string, serving: ServingSide, sameProcess: boolean) {
  let last = { seconds: 0, cpu: { serving: 0, fetching: 0 } as Cpu };
  const measure = async <T>(run: () => Promise<T>): Promise<T> => {
    const servingBefore = sameProcess ? 0 : await serving.cpuSeconds();
    const fetchingBefore = process.cpuUsage();
    const start = performance.now();
    const result = await run();
    const seconds = (performance.now() - start) / 1000;
    const fetching = cpuSeconds(process.cpuUsage(fetchingBefore));
    // In one process the two sides share the counter: all of it is reported as fetching.
    last = { seconds, cpu: { serving: sameProcess ? 0 : (await serving.cpuSeconds()) - servingBefore, fetching } };
    return result;
  };
  const heliaFetch = async (dataDir: string, peers: string[]) => {
    const node = await client.createStorageNode({ dataDir, peers });
    try {
      const sources: Record<string, number> = {};
      const received = await measure(async () => {
        let count = 0;
        const onProgress = (event: Client.ReadProgressEvent | Client.BlockProgressEvent) => {
          if (event.type === "block") sources[event.source] = (sources[event.source] ?? 0) + 1;
        };
        for await (const chunk of client.readBytes(node, serving.cid, { onProgress })) count += chunk.byteLength;
        return count;
      });
      if (received !== BYTES) throw new Error(`Helia received ${received} bytes, expected ${BYTES}`);
      return sources;
    } finally {
      await node.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  };

  const helia: number[] = [];
  const httpRuns: number[] = [];
  const heliaCpu: Cpu[] = [];
  const httpCpu: Cpu[] = [];
  const sources: Record<string, number>[] = [];
  for (let round_ = 0; round_ <= RUNS; round_++) {
    const measured = round_ > 0;
    for (const transport of round_ % 2 === 0 ? ["http", "helia"] : ["helia", "http"]) {
      if (transport === "http") {
        const received = await measure(() => httpGet(serving.httpUrl));
        if (received !== BYTES) throw new Error(`http received ${received} bytes`);
        if (measured) {
          httpRuns.push(BYTES / MB / last.seconds);
          httpCpu.push(last.cpu);
        }
      } else {
        const blockSources = await heliaFetch(path.join(dir, `fetching-${label}-${round_}`), serving.gatewayNode);
        if (measured) {
          helia.push(BYTES / MB / last.seconds);
          heliaCpu.push(last.cpu);
          sources.push(blockSources);
        }
      }
      if (measured)
        console.log(
          `${label} round ${round_} ${transport}: ${round(BYTES / MB / last.seconds)} MB/s (cpu s: ${
            sameProcess
              ? `total ${round(last.cpu.fetching, 3)}`
              : `serving ${round(last.cpu.serving, 3)}, fetching ${round(last.cpu.fetching, 3)}`
          })`,
        );
    }
  }
  await heliaFetch(path.join(dir, `fetching-${label}-bitswap`), serving.bitswapNode);
  const bitswapMBps = BYTES / MB / last.seconds;
  console.log(`${label} bitswap only: ${round(bitswapMBps)} MB/s`);
  // In one process both sides share one CPU counter: report it as one total.
  const cpu = (list: Cpu[]) =>
    sameProcess
      ? { total: round(median(list.map((c) => c.fetching)), 3) }
      : { serving: round(median(list.map((c) => c.serving)), 3), fetching: round(median(list.map((c) => c.fetching)), 3) };
  return {
    heliaMBps: round(median(helia)),
    httpMBps: round(median(httpRuns)),
    ratio: round(median(helia) / median(httpRuns), 3),
    addMBps: round(median(serving.addSeconds.map((s) => BYTES / MB / s))),
    bitswapMBps: round(bitswapMBps),
    cpuSeconds: { helia: cpu(heliaCpu), http: cpu(httpCpu) },
    runs: {
      heliaMBps: helia.map((v) => round(v)),
      httpMBps: httpRuns.map((v) => round(v)),
      addMBps: serving.addSeconds.map((s) => round(BYTES / MB / s)),
      blockSources: sources,
    },
  };
}

async function main(): Promise<void> {
  const client = await loadClient();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "mycelium-bench-ipfs-"));
  const loadBefore = os.loadavg();
  const sides: ServingSide[] = [];
  try {
    const twoProcesses = await (async () => {
      const serving = await startServingProcess(path.join(dir, "two"));
      sides.push(serving);
      const result = await measureSetup("two processes", client, dir, serving, false);
      await serving.stop();
      return result;
    })();
    const sameProcess = await (async () => {
      const serving = await startServing(path.join(dir, "one"));
      sides.push(serving);
      const { runs: _runs, ...result } = await measureSetup("one process", client, dir, serving, true);
      await serving.stop();
      return result;
    })();
    const result = {
      heliaMBps: twoProcesses.heliaMBps,
      httpMBps: twoProcesses.httpMBps,
      ratio: twoProcesses.ratio,
      addMBps: twoProcesses.addMBps,
      bitswapMBps: twoProcesses.bitswapMBps,
      cpuSeconds: twoProcesses.cpuSeconds,
      runs: twoProcesses.runs,
      sameProcess,
      setup: {
        bytes: BYTES,
        content: "random bytes (crypto.randomBytes)",
        unixfs:
          `CIDv1, sha2-256, raw leaves, ${client.UNIXFS_CHUNK_BYTES}-byte fixed chunks, ` +
          `up to ${client.UNIXFS_MAX_LINKS} links per node`,
        heliaPath:
          "readBytes on a fresh loopback storage node: blocks from the peer's HTTP trustless gateway " +
          "(16 in flight, each verified against its CID, written to blockstore-fs), bitswap fallback",
        httpPath: "one GET from node:http serving the bytes from memory",
        processes:
          "headline figures: serving side in a child process, fetching side in the benchmark process; sameProcess: both in one process",
        rounds: `1 warm-up + ${RUNS} measured, transports alternating; medians`,
      },
      machine: {
        node: process.version,
        cpus: os.availableParallelism(),
        cpu: os.cpus()[0]?.model ?? "unknown",
        loadAverageBefore: loadBefore.map((l) => round(l, 2)),
        loadAverageAfter: os.loadavg().map((l) => round(l, 2)),
      },
    };
    writeBenchResult("ipfs", result);
    console.log(
      JSON.stringify({
        heliaMBps: result.heliaMBps,
        httpMBps: result.httpMBps,
        ratio: result.ratio,
        addMBps: result.addMBps,
        sameProcessRatio: sameProcess.ratio,
      }),
    );
  } finally {
    for (const side of sides) await side.stop().catch(() => {});
    client.closeGatewayConnections();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const role = process.argv.indexOf("--serve");
(role >= 0 ? serveForParent(process.argv[role + 1]!) : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
