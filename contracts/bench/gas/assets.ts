/**
 * Gas of the asset economy's operations, measured on a fresh in-process Hardhat network with the LocalProtocol Ignition
 * module (protocol fee 0.1%, the devnet default) and a 6-decimal payment token. Each figure is the `gasUsed` of one
 * transaction receipt in a steady state: the accounts involved have used the protocol before (non-zero balances and
 * nonces), as for a returning user, unless the operation's name says otherwise.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { maxUint256, type Hex } from "viem";
import LocalProtocolModule from "../../ignition/modules/LocalProtocol";
import { ONE, cid } from "../../test/fixtures/protocol";
import { signPermit } from "../../test/fixtures/permit";

const PRICE = 5_000_000n; // 5 mUSD
const MARKET_FEE_BPS = 100; // 1% consume-market fee, on top of the 0.1% protocol fee
const Dataset = 0;

export type GasResults = Record<string, number>;

export async function measureAssetGas(hre: HardhatRuntimeEnvironment): Promise<GasResults> {
  const [publisher, buyer, market, newOwner, freeloader, other] = await hre.viem.getWalletClients();
  if (!publisher || !buyer || !market || !newOwner || !freeloader || !other) throw new Error("Not enough accounts");
  const publicClient = await hre.viem.getPublicClient();
  const deployed = await hre.ignition.deploy(LocalProtocolModule, { displayUi: false });
  const registry = await hre.viem.getContractAt("AssetRegistry", deployed.AssetRegistry.address);
  const marketplace = await hre.viem.getContractAt("Marketplace", deployed.Marketplace.address);
  const usdc = await hre.viem.getContractAt("TestPaymentToken", deployed.PaymentToken.address);
  const gas = async (hash: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error(`Benchmark transaction ${receipt.transactionHash} reverted`);
    return Number(receipt.gasUsed);
  };
  const results: GasResults = {};
  const pub = { account: publisher.account };
  const datatokenParams = { accessPeriod: 86_400n, initialSupply: 100n * ONE };
  const listing = { marketplace: marketplace.address, paymentToken: usdc.address, price: PRICE };

  // Warm-up: the publisher has published and listed before, and the payment token is registered.
  await gas(registry.write.publishWithDatatokenAndListing([Dataset, cid("warm-up"), [], datatokenParams, listing], pub));

  results.publish = await gas(registry.write.publish([publisher.account.address, Dataset, cid("a"), []], pub));
  results.publishWithDatatoken = await gas(registry.write.publishWithDatatoken([Dataset, cid("b"), [], datatokenParams], pub));
  results.publishWithDatatokenAndListing = await gas(
    registry.write.publishWithDatatokenAndListing([Dataset, cid("c"), [], datatokenParams, listing], pub),
  );
  const assetId = await registry.read.assetCount();
  const datatoken = await hre.viem.getContractAt("Datatoken", await registry.read.datatokenOf([assetId]));
  results.updateManifest = await gas(registry.write.updateManifest([assetId, cid("c2")], pub));

  // Buyers and recipients already hold payment tokens; the buyer approved the marketplace once.
  for (const wallet of [buyer, market, other]) await gas(usdc.write.mint([wallet.account.address, 1_000_000n * 10n ** 6n]));
  const buy = () =>
    marketplace.write.buy([assetId, 1n, usdc.address, maxUint256, market.account.address, MARKET_FEE_BPS], {
      account: buyer.account,
    });
  await gas(usdc.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
  await gas(buy());
  results.buy = await gas(buy());

  results.order = await gas(datatoken.write.order([buyer.account.address], { account: buyer.account }));

  // buyAndOrder by a returning buyer who signs a permit each time (no standing allowance).
  const [, , , total] = await marketplace.read.quote([assetId, 1n, MARKET_FEE_BPS]);
  const buyAndOrder = async () => {
    // A fixed deadline (2100-01-01) keeps the signature, hence the calldata cost, the same on every run.
    const permit = await signPermit(usdc, other, marketplace.address, total, 4_102_444_800n);
    return gas(
      marketplace.write.buyAndOrder([assetId, other.account.address, usdc.address, total, market.account.address, MARKET_FEE_BPS, permit], {
        account: other.account,
      }),
    );
  };
  await buyAndOrder();
  results.buyAndOrder = await buyAndOrder();

  // A wallet's first dispense from an open dispenser.
  await gas(marketplace.write.setDispenser([assetId, 1n], pub));
  await gas(marketplace.write.dispense([assetId, 1n], { account: buyer.account }));
  results.dispense = await gas(marketplace.write.dispense([assetId, 1n], { account: freeloader.account }));

  // The asset NFT (with its datatoken, listing and dispenser) to an address that owns no asset yet.
  results.transferAsset = await gas(registry.write.transferFrom([publisher.account.address, newOwner.account.address, assetId], pub));
  return results;
}
