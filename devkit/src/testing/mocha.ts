/**
 * Mocha hooks around the shared test network: one devnet per `describe`, started before its tests and stopped after.
 */
import { startTestNetwork, type StartTestNetworkParameters, type TestNetwork } from "../network/testNetwork.ts";

/** Starts a test network for the enclosing `describe` (generous start timeout: the first one compiles the contracts). */
export function useTestNetwork(parameters: StartTestNetworkParameters = {}): { get: () => TestNetwork } {
  let network: TestNetwork | undefined;
  before(async function () {
    this.timeout(600_000);
    network = await startTestNetwork(parameters);
  });
  after(async () => {
    await network?.stop();
  });
  return {
    get: () => {
      if (!network) throw new Error("The test network is not started: call useTestNetwork() inside a describe block.");
      return network;
    },
  };
}
