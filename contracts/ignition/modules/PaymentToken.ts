import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * A 6-decimal test payment token ("Mycelium Test USD", mUSD) with ERC-2612 permit and an open `mint`: a faucet for
 * local chains only. Never deploy it on a public network (the Protocol module does not include it).
 */
export const PaymentTokenModule = buildModule("PaymentToken", (m) => {
  const PaymentToken = m.contract("TestPaymentToken", ["Mycelium Test USD", "mUSD", 6], { id: "PaymentToken" });
  return { PaymentToken };
});

export default PaymentTokenModule;
