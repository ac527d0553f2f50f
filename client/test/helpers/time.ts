import type { Client } from "viem";

/** Moves the devnet's clock forward by `seconds` and mines a block at the new time (Hardhat's evm_ methods). */
export async function advanceTime(client: Client, seconds: number | bigint): Promise<void> {
  await client.request({ method: "evm_increaseTime", params: [Number(seconds)] } as never);
  await client.request({ method: "evm_mine", params: [] } as never);
}
