/**
 * IPFS transfer benchmark (`npm run bench:ipfs`): moves 256 MiB of random bytes between two storage nodes on
 * loopback and compares with plain node:http serving the same bytes on loopback. Writes bench/results/ipfs.json.
 *
 * Setup, the same for both transports: the serving side runs in a child process (a storage node holding the content,
 * and a node:http server holding the same bytes in a Buffer), the fetching side in this process. Every Helia run
 * uses a new fetching node with an empty data directory, so each block crosses the network, is verified against its
 * CID and is written to the fetching node's disk (it serves them afterwards). One warm-up round, then RUNS rounds;
 * the two transports alternate within each round; figures are medians.
 *
 * - heliaMBps: `readBytes(node, cid)` on the fetching node: the client's default fetch path (peer gateway, bitswap
 *   fallback), from the first request to the last byte.
 * - httpMBps: one GET of the same bytes from node:http, counting the bytes as they arrive.
 * - ratio: heliaMBps / httpMBps.
 * - addMBps: `addBytes` of the 256 MiB into an empty storage node (chunking, hashing, writing every block to disk).
 * - bitswapMBps: the bitswap fallback alone (a serving node without a gateway), one run, for reference.
 * - cpuSeconds: CPU time (user + system, all threads) each side spent per transfer, medians. On a shared machine
 *   the wall-clock figures move with other load; these show the work each path needs.
 * MB/s uses MB = 10^6 bytes. Temporary directories are removed at the end, also on failure.
 */
import type * as Client from "../client/src/index.ts";
import childProcess = require("node:child_process");
import crypto = require("node:crypto");
import fs = require("node:fs/promises");
import http = require("node:http");
import os = require("node:os");
import path = require("node:path");

const BYTES = 256 * 1024 * 1024;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MB = 1e6;

type CpuTime = { user: number; system: number };
type ServingReady = {
  cid: string;
  gatewayNode: string[];
  bitswapNode: string[];
  httpUrl: string;
  addSeconds: number[];
};

/** The serving process: a storage node with the content (gateway on), one without gateway, and node:http. */
async function serve(dir: string): Promise<void> {
  const client: typeof Client = await import("../client/src/index.ts");
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
  const port = (server.address() as { port: number }).port;
  process.on("message", async (message) => {
    if (message === "cpu") process.send!(process.cpuUsage());
    if (message === "stop") {
      server.close();
      await gatewayNode.stop();
      await bitswapNode.stop();
      process.exit(0);
    }
  });
  const ready: ServingReady = { cid: cid.toString(), gatewayNode: gatewayNode.multiaddrs, bitswapNode: bitswapNode.multiaddrs, httpUrl: `http://127.0.0.1:${port}/`, addSeconds };
  process.send!(ready);
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

async function heliaFetch(client: typeof Client, dataDir: string, peers: string[], cid: string, measure: <T>(run: () => Promise<T>) => Promise<T>): Promise<Record<string, number>> {
  const node = await client.createStorageNode({ dataDir, peers });
  try {
    const sources: Record<string, number> = {};
    const received = await measure(async () => {
      let count = 0;
      for await (const chunk of client.readBytes(node, cid, {
        onProgress: (event) => {
          if (event.type === "block") sources[event.source] = (sources[event.source] ?? 0) + 1;
        },
      })) {
        count += chunk.byteLength;
      }
      return count;
    });
    if (received !== BYTES) throw new Error(`Helia received ${received} bytes, expected ${BYTES}`);
    return sources;
  } finally {
    await node.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const seconds = (cpu: CpuTime) => (cpu.user + cpu.system) / 1e6;

async function main(): Promise<void> {
  const client: typeof Client = await import("../client/src/index.ts");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "mycelium-bench-ipfs-"));
  const loadBefore = os.loadavg();
  let child: childProcess.ChildProcess | undefined;
  try {
    child = childProcess.fork(__filename, ["--serve", dir], { stdio: "inherit" });
    const serving = child;
    const ready = await new Promise<ServingReady>((resolve, reject) => {
      serving.once("message", (message) => resolve(message as ServingReady));
      serving.once("exit", (code) => reject(new Error(`the serving process exited with code ${code}`)));
    });
    const servingCpu = () => new Promise<CpuTime>((resolve) => {
      serving.once("message", (message) => resolve(message as CpuTime));
      serving.send("cpu");
    });
    let last = { wall: 0, serving: 0, fetching: 0 };
    const measure = async <T>(run: () => Promise<T>): Promise<T> => {
      const servingBefore = await servingCpu();
      const fetchingBefore = process.cpuUsage();
      const start = performance.now();
      const result = await run();
      const wall = (performance.now() - start) / 1000;
      const fetching = seconds(process.cpuUsage(fetchingBefore));
      const servingAfter = await servingCpu();
      last = { wall, serving: seconds(servingAfter) - seconds(servingBefore), fetching };
      return result;
    };

    const runs = { heliaMBps: [] as number[], httpMBps: [] as number[], heliaCpu: [] as { serving: number; fetching: number }[], httpCpu: [] as { serving: number; fetching: number }[], blockSources: [] as Record<string, number>[] };
    for (let round_ = 0; round_ <= RUNS; round_++) {
      const warmUp = round_ === 0;
      const order = round_ % 2 === 0 ? ["http", "helia"] : ["helia", "http"];
      for (const transport of order) {
        if (transport === "http") {
          const received = await measure(() => httpGet(ready.httpUrl));
          if (received !== BYTES) throw new Error(`http received ${received} bytes`);
          if (!warmUp) {
            runs.httpMBps.push(BYTES / MB / last.wall);
            runs.httpCpu.push({ serving: last.serving, fetching: last.fetching });
          }
        } else {
          const sources = await heliaFetch(client, path.join(dir, `fetching-${round_}`), ready.gatewayNode, ready.cid, measure);
          if (!warmUp) {
            runs.heliaMBps.push(BYTES / MB / last.wall);
            runs.heliaCpu.push({ serving: last.serving, fetching: last.fetching });
            runs.blockSources.push(sources);
          }
        }
        if (!warmUp) console.log(`round ${round_} ${transport}: ${round(BYTES / MB / last.wall)} MB/s (cpu s: serving ${round(last.serving, 3)}, fetching ${round(last.fetching, 3)})`);
      }
    }
    const bitswapSources = await heliaFetch(client, path.join(dir, "fetching-bitswap"), ready.bitswapNode, ready.cid, measure);
    const bitswapMBps = BYTES / MB / last.wall;
    console.log(`bitswap only: ${round(bitswapMBps)} MB/s ${JSON.stringify(bitswapSources)}`);

    const heliaMBps = median(runs.heliaMBps);
    const httpMBps = median(runs.httpMBps);
    const cpu = (list: { serving: number; fetching: number }[]) => ({ serving: round(median(list.map((c) => c.serving)), 3), fetching: round(median(list.map((c) => c.fetching)), 3) });
    const result = {
      heliaMBps: round(heliaMBps),
      httpMBps: round(httpMBps),
      ratio: round(heliaMBps / httpMBps, 3),
      addMBps: round(median(ready.addSeconds.map((s) => BYTES / MB / s))),
      bitswapMBps: round(bitswapMBps),
      cpuSeconds: { helia: cpu(runs.heliaCpu), http: cpu(runs.httpCpu) },
      runs: {
        heliaMBps: runs.heliaMBps.map((v) => round(v)),
        httpMBps: runs.httpMBps.map((v) => round(v)),
        addMBps: ready.addSeconds.map((s) => round(BYTES / MB / s)),
        blockSources: runs.blockSources,
      },
      setup: {
        bytes: BYTES,
        content: "random bytes (crypto.randomBytes)",
        unixfs: `CIDv1, raw leaves, ${client.UNIXFS_CHUNK_BYTES}-byte fixed chunks, ${client.UNIXFS_MAX_LINKS} links per node`,
        heliaPath: "readBytes on a fresh loopback storage node: blocks from the peer's HTTP trustless gateway (16 in flight, each verified against its CID, written to blockstore-fs), bitswap fallback",
        httpPath: "one GET from node:http serving the bytes from memory",
        processes: "serving side in a child process, fetching side in the benchmark process",
        rounds: `1 warm-up + ${RUNS} measured, transports alternating; medians`,
      },
      machine: { node: process.version, cpus: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? "unknown", loadAverageBefore: loadBefore.map((l) => round(l, 2)), loadAverageAfter: os.loadavg().map((l) => round(l, 2)) },
    };
    await fs.mkdir(path.join(__dirname, "results"), { recursive: true });
    await fs.writeFile(path.join(__dirname, "results", "ipfs.json"), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify({ heliaMBps: result.heliaMBps, httpMBps: result.httpMBps, ratio: result.ratio, addMBps: result.addMBps, bitswapMBps: result.bitswapMBps }));
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.send("stop");
      await exited;
    }
    client.closeGatewayConnections();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const role = process.argv.indexOf("--serve");
(role >= 0 ? serve(process.argv[role + 1]!) : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
