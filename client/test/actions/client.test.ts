import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { encodeErrorResult, type AbiParameter } from "viem";
import { getListing } from "../../src/actions/getListing.ts";
import { createMyceliumClient } from "../../src/chain/client.ts";
import { loadDeployment } from "../../src/chain/deployment.ts";
import {
  InvalidDeploymentError,
  MissingContractError,
  RpcUnreachableError,
  UnknownDeploymentError,
  WrongChainError,
} from "../../src/errors/chain.ts";
import { ContractRevertedError, contractErrorFromRevert, decodeContractError, protocolErrorsAbi } from "../../src/errors/contract.ts";
import { rejection } from "../helpers/rejection.ts";
import { tempDirectory, useTestNetwork } from "@mycelium/devkit";

function tempDir(): string {
  return tempDirectory("myc-deployments-");
}

describe("createMyceliumClient and deployments", function () {
  this.timeout(60_000);
  const chain = useTestNetwork();

  it("reads the chain id from the RPC and uses the deployment of that chain", async () => {
    const { devnet } = chain.get();
    const client = await createMyceliumClient({ rpcUrl: devnet.rpcUrl, deployment: devnet.deployment });
    expect(client.chain.id).to.equal(devnet.chainId);
    expect(client.deployment.contracts.AssetRegistry!.address).to.equal(devnet.deployment.contracts.AssetRegistry!.address);
  });

  it("finds deployments/<chainId>.json from the working directory upwards, from MYC_DEPLOYMENTS_DIR and from MYC_DEPLOYMENT", async () => {
    const { devnet } = chain.get();
    const root = tempDir();
    fs.mkdirSync(path.join(root, "deployments"));
    fs.writeFileSync(path.join(root, "deployments", `${devnet.chainId}.json`), JSON.stringify(devnet.deployment));
    const nested = path.join(root, "a", "b");
    fs.mkdirSync(nested, { recursive: true });
    const found = await createMyceliumClient({ rpcUrl: devnet.rpcUrl, deploymentSearch: { cwd: nested, env: {} } });
    expect(found.deployment.contracts.Marketplace!.address).to.equal(devnet.deployment.contracts.Marketplace!.address);

    const elsewhere = tempDir();
    expect(
      loadDeployment({ chainId: devnet.chainId, cwd: elsewhere, env: { MYC_DEPLOYMENTS_DIR: path.join(root, "deployments") } }).source,
    ).to.equal(path.join(root, "deployments", `${devnet.chainId}.json`));
    const file = path.join(elsewhere, "mine.json");
    fs.writeFileSync(file, JSON.stringify(devnet.deployment));
    expect(loadDeployment({ chainId: devnet.chainId, cwd: elsewhere, env: { MYC_DEPLOYMENT: "mine.json" } }).source).to.equal(file);
  });

  it("UnknownDeploymentError names the chain and where it looked", async () => {
    const { devnet } = chain.get();
    const error = await rejection(
      createMyceliumClient({ rpcUrl: devnet.rpcUrl, deploymentSearch: { cwd: tempDir(), env: {}, directories: ["/nowhere"] } }),
    );
    expect(error).to.be.instanceOf(UnknownDeploymentError);
    expect((error as UnknownDeploymentError).chainId).to.equal(devnet.chainId);
    expect(error.message).to.contain(`/nowhere/${devnet.chainId}.json`);
  });

  it("InvalidDeploymentError for a file that is not a deployment", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "31337.json"), "{ not json");
    expect(() => loadDeployment({ chainId: 31337, directories: [dir] })).to.throw(InvalidDeploymentError, /not JSON/);
    fs.writeFileSync(
      path.join(dir, "31337.json"),
      JSON.stringify({ chainId: 31337, contracts: { AssetRegistry: { address: "0x12", startBlock: 1 } } }),
    );
    expect(() => loadDeployment({ chainId: 31337, directories: [dir] })).to.throw(
      InvalidDeploymentError,
      /AssetRegistry.address is not an address/,
    );
  });

  it("WrongChainError when the RPC serves another chain than expected or than the deployment's", async () => {
    const { devnet } = chain.get();
    const expected = await rejection(createMyceliumClient({ rpcUrl: devnet.rpcUrl, chainId: 1, deployment: devnet.deployment }));
    expect(expected).to.be.instanceOf(WrongChainError);
    expect(expected).to.deep.include({ expectedChainId: 1, actualChainId: devnet.chainId });
    const mainnetDeployment = { ...devnet.deployment, chainId: 1 };
    const fromDeployment = await rejection(createMyceliumClient({ rpcUrl: devnet.rpcUrl, deployment: mainnetDeployment }));
    expect(fromDeployment).to.be.instanceOf(WrongChainError);
    expect(fromDeployment.message).to.contain("expected chain 1 (the deployment object)");
  });

  it("RpcUnreachableError when nothing answers", async () => {
    const error = await rejection(createMyceliumClient({ rpcUrl: "http://127.0.0.1:9", deployment: chain.get().devnet.deployment }));
    expect(error).to.be.instanceOf(RpcUnreachableError);
    expect((error as RpcUnreachableError).url).to.equal("http://127.0.0.1:9");
    expect((error as RpcUnreachableError).hint).to.contain("start the devnet");
  });

  it("MissingContractError when the deployment lacks a contract an action needs", async () => {
    const { devnet } = chain.get();
    const { Marketplace: _marketplace, ...others } = devnet.deployment.contracts;
    const client = await createMyceliumClient({ rpcUrl: devnet.rpcUrl, deployment: { ...devnet.deployment, contracts: others } });
    const error = await rejection(getListing(client, { assetId: 1 }));
    expect(error).to.be.instanceOf(MissingContractError);
    expect((error as MissingContractError).contract).to.equal("Marketplace");
  });
});

describe("contract error explanations", () => {
  function sample(parameter: AbiParameter): unknown {
    if (parameter.type === "address") return "0x00000000000000000000000000000000000000aa";
    if (parameter.type === "bool") return true;
    if (parameter.type === "string") return "text";
    if (parameter.type === "bytes") return "0x0170";
    if (parameter.type.startsWith("bytes")) return `0x${"11".repeat(Number(parameter.type.slice(5)))}`;
    if (parameter.type === "uint8") return 1;
    if (parameter.type.startsWith("uint") || parameter.type.startsWith("int")) return 7n;
    throw new Error(`no sample for ${parameter.type}`);
  }

  it("every protocol error decodes into a typed error with its arguments, a message and a hint", () => {
    expect(protocolErrorsAbi.length).to.be.greaterThan(50);
    for (const item of protocolErrorsAbi) {
      const args = item.inputs.map(sample);
      const data = encodeErrorResult({ abi: [item], errorName: item.name, args } as never);
      const decoded = decodeContractError(data);
      expect(decoded?.errorName, item.name).to.equal(item.name);
      expect(Object.keys(decoded!.args)).to.deep.equal(item.inputs.map((input) => input.name));
      const error = contractErrorFromRevert(decoded!);
      const revert = (
        error instanceof ContractRevertedError ? error : error.walk((e) => e instanceof ContractRevertedError)
      ) as ContractRevertedError;
      expect(revert.errorName).to.equal(item.name);
      for (const text of [error.shortMessage, error.hint ?? ""]) {
        expect(text, item.name)
          .to.match(/\S/)
          .and.not.to.match(/undefined|NaN|\[object/);
      }
      expect(error.shortMessage.endsWith("."), `${item.name}: ${error.shortMessage}`).to.equal(true);
    }
  });

  it("unknown selectors are not guessed", () => {
    expect(decodeContractError("0xdeadbeef")).to.equal(null);
    expect(decodeContractError("0x")).to.equal(null);
  });
});
