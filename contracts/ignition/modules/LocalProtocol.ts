import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ProtocolModule } from "./Protocol";
import { PaymentTokenModule } from "./PaymentToken";

/** The shortest window on a local devnet, whose blocks come on demand: short demo rounds, still a whole block wide. */
export const DEVNET_MIN_WINDOW = 5;

/** Ignition parameters of a local deployment (`npm run devnet`, the tests' devnets). */
export const DEVNET_PARAMETERS = { TrainingJobs: { minWindow: DEVNET_MIN_WINDOW } } as const;

/**
 * The Protocol plus a 6-decimal test payment token: what `npm run devnet` and local tests deploy (with
 * DEVNET_PARAMETERS).
 */
export const LocalProtocolModule = buildModule("LocalProtocol", (m) => {
  const protocol = m.useModule(ProtocolModule);
  const { PaymentToken } = m.useModule(PaymentTokenModule);
  return { ...protocol, PaymentToken };
});

export default LocalProtocolModule;
