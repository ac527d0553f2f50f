import { PassThrough } from "node:stream";
import { expect } from "chai";
import { CID } from "multiformats/cid";
import { Output, toJson } from "../src/kit/output.ts";
import { EXIT_CODES, exitCodeOf } from "../src/kit/exitCodes.ts";
import { CLI_HINTS } from "../src/kit/hints.ts";
import { AbortedError, AssetNotFoundError, BaseError, ContractRevertedError, InvalidCidError, RpcUnreachableError } from "@mycelium/client";
import { parseAmount } from "../src/kit/parse.ts";

/** A real stream that collects what is written, optionally claiming to be a terminal. */
function sink(isTTY: boolean): PassThrough & { isTTY: boolean; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; text: () => string };
  let written = "";
  stream.on("data", (chunk: Buffer) => (written += chunk.toString()));
  stream.isTTY = isTTY;
  stream.text = () => written;
  return stream;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("CLI output", () => {
  // A dumb terminal gets no cursor control, so the drawing test pretends to be a normal one.
  let term: string | undefined;
  before(() => {
    term = process.env.TERM;
    process.env.TERM = "xterm";
  });
  after(() => {
    if (term === undefined) delete process.env.TERM;
    else process.env.TERM = term;
  });

  it("draws spinners and progress bars on a terminal only", async () => {
    for (const isTTY of [true, false]) {
      const stderr = sink(isTTY);
      const output = new Output({ json: false, verbose: false, stdout: sink(false), stderr });
      const spinner = output.spinner("Publishing");
      spinner.update("Publishing: waiting for transaction 0x1234…");
      spinner.stop();
      const bar = output.progress("Uploading", 1000);
      await new Promise((resolve) => setTimeout(resolve, 120));
      bar.update(500);
      bar.stop();
      await tick();
      if (isTTY) {
        const printed = stderr.text();
        expect(printed).to.contain("Publishing: waiting for transaction 0x1234…").and.to.contain("Uploading [").and.to.contain("50%");
        expect(stderr.text().endsWith("\r\x1b[2K")).to.equal(true);
      } else {
        expect(stderr.text()).to.equal("");
      }
    }
  });

  it("prints results as text, or as JSON with bigints and CIDs as strings", async () => {
    const cid = CID.parse("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
    const text = sink(false);
    new Output({ json: false, verbose: false, stdout: text, stderr: sink(true) }).result({ id: 7n }, ["Asset 7", "  ok"]);
    const json = sink(false);
    const stderr = sink(true);
    const output = new Output({ json: true, verbose: false, stdout: json, stderr });
    output.spinner("quiet in JSON mode").stop();
    output.result({ id: 7n, cid, nested: [1n] }, "ignored");
    await tick();
    expect(text.text()).to.equal("Asset 7\n  ok\n");
    expect(JSON.parse(json.text())).to.deep.equal({ id: "7", cid: cid.toString(), nested: ["1"] });
    expect(stderr.text()).to.equal("");
    expect(toJson({ link: { "/": "bafy" }, other: { "/": "x", y: 1 } })).to.equal(
      JSON.stringify({ link: "bafy", other: { "/": "x", y: 1 } }, null, 2),
    );
  });

  it("reports an error as one line and a hint, and as JSON on stdout with --json", async () => {
    const error = new RpcUnreachableError({ url: "http://127.0.0.1:9", cause: new Error("fetch failed") });
    const stderr = sink(false);
    const stdout = sink(false);
    expect(new Output({ json: true, verbose: false, stdout, stderr }).error(error)).to.equal(EXIT_CODES.RPC_UNREACHABLE);
    await tick();
    // The command line's own advice replaces the SDK's for this code (flags and npm scripts, not parameters).
    expect(stderr.text()).to.equal(`error: ${error.shortMessage}\nhint: ${CLI_HINTS.RPC_UNREACHABLE}\n`);
    expect(JSON.parse(stdout.text()).error).to.deep.include({
      name: "RpcUnreachableError",
      code: 14,
      message: error.shortMessage,
      hint: CLI_HINTS.RPC_UNREACHABLE,
    });
  });

  it("never echoes a private key pasted where another argument was expected", async () => {
    const key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    for (const pasted of [key, key.slice(2), ` ${key} `, key.slice(0, -1)]) {
      let error: unknown;
      try {
        parseAmount(pasted, 6, "amount");
      } catch (caught) {
        error = caught;
      }
      const stderr = sink(false);
      const stdout = sink(false);
      new Output({ json: true, verbose: true, stdout, stderr }).error(error);
      await tick();
      const printed = stderr.text() + stdout.text();
      expect(printed).to.match(/Invalid amount: \(6[34] hex digits, not shown: they may be a private key\)\./);
      expect(printed).to.not.include(key.slice(2, 20));
    }
  });

  it("gives every error class of every package a code of its own with an exit code, so none exits as a bug (1)", async () => {
    const packages = {
      "@mycelium/client": await import("@mycelium/client"),
      "@mycelium/trainer": await import("@mycelium/trainer"),
      "@mycelium/devkit": await import("@mycelium/devkit"),
    };
    const classes: { name: string; code: string }[] = [];
    for (const [source, exports] of Object.entries(packages)) {
      for (const [name, value] of Object.entries(exports)) {
        if (typeof value !== "function" || !(value.prototype instanceof BaseError)) continue;
        classes.push({ name: `${source} ${name}`, code: (value as typeof BaseError).code });
      }
    }
    expect(classes.length).to.be.greaterThan(40);
    const missing = classes.filter(({ code }) => !Object.hasOwn(EXIT_CODES, code) || code === "MYCELIUM_ERROR");
    expect(missing, "error classes without an exit code of their own").to.deep.equal([]);
    const byCode = new Map<string, string[]>();
    for (const { name, code } of classes) byCode.set(code, [...(byCode.get(code) ?? []), name.split(" ")[1]!]);
    const shared = [...byCode].filter(([, names]) => new Set(names).size > 1);
    expect(shared, "codes shared by different classes").to.deep.equal([]);
  });

  it("maps every error class to its own exit code, subclasses first", () => {
    const notFound = new AssetNotFoundError({ errorName: "AssetNotFound", args: { assetId: 3n } });
    const reverted = new ContractRevertedError({ errorName: "NotListed", args: { assetId: 3n } });
    expect(exitCodeOf(notFound)).to.equal(EXIT_CODES.ASSET_NOT_FOUND);
    expect(exitCodeOf(reverted)).to.equal(EXIT_CODES.CONTRACT_REVERTED);
    expect(exitCodeOf(new InvalidCidError({ value: "x" }))).to.equal(EXIT_CODES.INVALID_CID);
    expect(exitCodeOf(new AbortedError("Publishing"))).to.equal(130);
    expect(exitCodeOf(new BaseError("something else"))).to.equal(EXIT_CODES.MYCELIUM_ERROR);
    expect(exitCodeOf(new TypeError("bug"))).to.equal(EXIT_CODES.unexpected);
    const codes = Object.values(EXIT_CODES);
    expect(new Set(codes).size).to.equal(codes.length);
  });
});
