import type { EIP1193Provider } from "hardhat/types";

/**
 * The first block at or below `high` at which `address` has code: a binary search over eth_getCode, so it needs the
 * node to serve historical state (any local node does; public nodes may need to be archive nodes). Used to name the
 * block an indexer starts from (scripts/devnet-server.ts, scripts/deploy.ts).
 */
export async function creationBlock(provider: EIP1193Provider, address: string, high: number): Promise<number> {
  const hasCode = async (block: number) =>
    ((await provider.request({ method: "eth_getCode", params: [address, `0x${block.toString(16)}`] })) as string) !== "0x";
  let low = 0;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (await hasCode(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}
