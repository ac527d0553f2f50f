import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ProtocolModule } from "./Protocol";
import { PaymentTokenModule } from "./PaymentToken";

/** The Protocol plus a 6-decimal test payment token: what `npm run devnet` and local tests deploy. */
export const LocalProtocolModule = buildModule("LocalProtocol", (m) => {
  const protocol = m.useModule(ProtocolModule);
  const { PaymentToken } = m.useModule(PaymentTokenModule);
  return { ...protocol, PaymentToken };
});

export default LocalProtocolModule;
