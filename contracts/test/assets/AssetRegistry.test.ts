import hre from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { getAddress, toHex, zeroAddress, type Hex } from "viem";
import { AssetKind, AssetState, ONE, cid, eventsOf, mined, protocolFixture, registryFixture } from "../fixtures/protocol";
import { expectRevert } from "../fixtures/errors";
import { propertyRun } from "../fixtures/property";

describe("AssetRegistry", () => {
  async function publishedFixture() {
    const fixture = await registryFixture();
    const { registry, publisher } = fixture;
    await mined(registry.write.publish([publisher.account.address, AssetKind.Dataset, cid("dataset"), []]));
    return fixture;
  }

  describe("publish", () => {
    it("mints the asset to the owner with id 1, kind, version 1 and the manifest CID, and emits its lineage", async () => {
      const { registry, publisher, stranger } = await loadFixture(registryFixture);
      // A stranger publishes on the publisher's behalf (as a job contract does for its sponsor).
      const receipt = await mined(
        registry.write.publish([publisher.account.address, AssetKind.Dataset, cid(1), []], { account: stranger.account }),
      );
      expect(await registry.read.ownerOf([1n])).to.equal(getAddress(publisher.account.address));
      expect(await registry.read.assetCount()).to.equal(1n);
      expect(await registry.read.kindOf([1n])).to.equal(AssetKind.Dataset);
      expect(await registry.read.stateOf([1n])).to.equal(AssetState.Active);
      expect(await registry.read.manifestOf([1n])).to.equal(cid(1));
      const events = eventsOf(receipt, registry);
      expect(events.map((event) => event.eventName)).to.deep.equal(["Transfer", "AssetPublished"]);
      expect(events[1]!.args).to.deep.equal({
        assetId: 1n,
        owner: getAddress(publisher.account.address),
        kind: AssetKind.Dataset,
        publisher: getAddress(stranger.account.address),
        manifestCid: cid(1),
        parents: [],
      });

      const second = await mined(
        registry.write.publish([publisher.account.address, AssetKind.Model, cid(2), [1n]], { account: publisher.account }),
      );
      const published = eventsOf(second, registry).find((event) => event.eventName === "AssetPublished");
      expect(published!.args).to.include({ assetId: 2n, kind: AssetKind.Model });
      expect((published!.args as { parents: readonly bigint[] }).parents).to.deep.equal([1n]);
      expect(await registry.read.kindOf([2n])).to.equal(AssetKind.Model);
    });

    it("accepts up to MAX_PARENTS parents in any order", async () => {
      const { registry, publisher } = await loadFixture(registryFixture);
      const max = await registry.read.MAX_PARENTS();
      for (let i = 0n; i < max; i++) {
        await mined(registry.write.publish([publisher.account.address, AssetKind.Dataset, cid(`p${i}`), []]));
      }
      const parents = Array.from({ length: Number(max) }, (_, i) => max - BigInt(i));
      const receipt = await mined(registry.write.publish([publisher.account.address, AssetKind.Model, cid("child"), parents]));
      const published = eventsOf(receipt, registry).find((event) => event.eventName === "AssetPublished");
      expect((published!.args as { parents: readonly bigint[] }).parents).to.deep.equal(parents);
    });

    it("reverts EmptyCid and MalformedCid for bad manifests", async () => {
      const { registry, publisher } = await loadFixture(registryFixture);
      const owner = publisher.account.address;
      await expectRevert(registry.write.publish([owner, AssetKind.Dataset, "0x", []]), "EmptyCid", []);
      // CIDv0-style multihash (no version byte): fails at offset 0.
      const v0: Hex = `0x1220${"ab".repeat(32)}`;
      await expectRevert(registry.write.publish([owner, AssetKind.Dataset, v0, []]), "MalformedCid", [v0, 0n]);
      // Digest one byte short of its declared length.
      const short = cid(1).slice(0, -2) as Hex;
      await expectRevert(registry.write.publish([owner, AssetKind.Dataset, short, []]), "MalformedCid", [short, 36n]);
    });

    it("reverts ParentNotFound, DuplicateParent and TooManyParents", async () => {
      const { registry, publisher } = await loadFixture(publishedFixture);
      const owner = publisher.account.address;
      await expectRevert(registry.write.publish([owner, AssetKind.Model, cid(2), [1n, 7n]]), "ParentNotFound", [7n]);
      await expectRevert(registry.write.publish([owner, AssetKind.Model, cid(2), [0n]]), "ParentNotFound", [0n]);
      await expectRevert(registry.write.publish([owner, AssetKind.Model, cid(2), [1n, 1n]]), "DuplicateParent", [1n]);
      const tooMany = Array.from({ length: 17 }, () => 1n);
      await expectRevert(registry.write.publish([owner, AssetKind.Model, cid(2), tooMany]), "TooManyParents", [17n, 16n]);
    });

    it("reverts ERC721InvalidReceiver when publishing to the zero address", async () => {
      const { registry } = await loadFixture(registryFixture);
      await expectRevert(registry.write.publish([zeroAddress, AssetKind.Dataset, cid(1), []]), "ERC721InvalidReceiver", [zeroAddress]);
    });
  });

  describe("ERC-721", () => {
    it("names the collection and supports approvals, operator approvals and safe transfers", async () => {
      const { registry, publisher, stranger, newOwner } = await loadFixture(publishedFixture);
      expect(await registry.read.name()).to.equal("Mycelium Asset");
      expect(await registry.read.symbol()).to.equal("MYCA");
      expect(await registry.read.balanceOf([publisher.account.address])).to.equal(1n);
      await mined(registry.write.approve([stranger.account.address, 1n], { account: publisher.account }));
      expect(await registry.read.getApproved([1n])).to.equal(getAddress(stranger.account.address));
      await mined(registry.write.setApprovalForAll([newOwner.account.address, true], { account: publisher.account }));
      expect(await registry.read.isApprovedForAll([publisher.account.address, newOwner.account.address])).to.equal(true);
      await mined(
        registry.write.safeTransferFrom([publisher.account.address, newOwner.account.address, 1n], { account: stranger.account }),
      );
      expect(await registry.read.ownerOf([1n])).to.equal(getAddress(newOwner.account.address));
      expect(await registry.read.getApproved([1n])).to.equal(zeroAddress);
    });
  });

  describe("manifest storage", () => {
    it("round-trips random well-formed CIDv1s through manifestOf and tokenURI (fast-check)", async () => {
      const { registry, publisher } = await loadFixture(registryFixture);
      const { CID } = await import("multiformats/cid");
      const varint = (value: number) => {
        const bytes: number[] = [];
        do {
          bytes.push((value & 0x7f) | (value > 0x7f ? 0x80 : 0));
          value >>>= 7;
        } while (value > 0);
        return bytes;
      };
      let assetId = 0n;
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: 0x1fffff }),
          fc.nat({ max: 0x1fffff }),
          fc.uint8Array({ minLength: 1, maxLength: 64 }),
          async (codec, hashCode, digest) => {
            const manifest = toHex(new Uint8Array([1, ...varint(codec), ...varint(hashCode), digest.length, ...digest]));
            await mined(registry.write.publish([publisher.account.address, AssetKind.Dataset, manifest, []]));
            assetId += 1n;
            expect(await registry.read.manifestOf([assetId])).to.equal(manifest);
            const uri = await registry.read.tokenURI([assetId]);
            expect(toHex(CID.parse(uri.slice("ipfs://".length)).bytes)).to.equal(manifest);
          },
        ),
        propertyRun("registry publications", { numRuns: 60 }),
      );
    });

    it("round-trips CIDs of every length, packed or stored whole, and serves ipfs:// base32 token URIs", async () => {
      const { registry, publisher } = await loadFixture(registryFixture);
      const { CID } = await import("multiformats/cid");
      // digest lengths 1..64 with 1- to 3-byte codec varints: CIDs from 5 to 72 bytes.
      const cases: Hex[] = [];
      for (const [codec, digestLength] of [
        ["55", 1],
        ["55", 20],
        ["71", 27],
        ["71", 28],
        ["70", 32],
        ["a902", 32],
        ["a0e402", 32],
        ["55", 33],
        ["a902", 64],
      ] as const) {
        cases.push(`0x01${codec}12${digestLength.toString(16).padStart(2, "0")}${"5a".repeat(digestLength)}`);
      }
      for (const [index, manifest] of cases.entries()) {
        await mined(registry.write.publish([publisher.account.address, AssetKind.Dataset, manifest, []]));
        const assetId = BigInt(index + 1);
        expect(await registry.read.manifestOf([assetId])).to.equal(manifest);
        const uri = await registry.read.tokenURI([assetId]);
        expect(uri.startsWith("ipfs://b")).to.equal(true);
        expect(toHex(CID.parse(uri.slice("ipfs://".length)).bytes)).to.equal(manifest);
      }
      // The client's usual manifest CID prints as the familiar dag-json prefix.
      await mined(registry.write.publish([publisher.account.address, AssetKind.Dataset, cid("x"), []]));
      expect(await registry.read.tokenURI([BigInt(cases.length + 1)])).to.match(/^ipfs:\/\/baguqeera[a-z2-7]{52}$/);
    });
  });

  describe("updateManifest", () => {
    it("bumps the version, stores the new CID and emits ManifestUpdated then MetadataUpdate", async () => {
      const { registry, publisher } = await loadFixture(publishedFixture);
      // dag-json over sha2-512: 69 bytes, too long to pack.
      const longCid: Hex = `0x01a9021340${"77".repeat(64)}`;
      const receipt = await mined(registry.write.updateManifest([1n, cid("v2")], { account: publisher.account }));
      const events = eventsOf(receipt, registry);
      expect(events.map((event) => event.eventName)).to.deep.equal(["ManifestUpdated", "MetadataUpdate"]);
      expect(events[0]!.args).to.deep.equal({ assetId: 1n, version: 2, manifestCid: cid("v2") });
      expect(events[1]!.args).to.deep.equal({ _tokenId: 1n });
      expect(await registry.read.manifestOf([1n])).to.equal(cid("v2"));
      // From a packed CID to one stored whole and back.
      await mined(registry.write.updateManifest([1n, longCid], { account: publisher.account }));
      expect(await registry.read.manifestOf([1n])).to.equal(longCid);
      await mined(registry.write.updateManifest([1n, cid("v4")], { account: publisher.account }));
      const asset = await registry.read.assetOf([1n]);
      expect(asset.version).to.equal(4);
      expect(asset.manifestCid).to.equal(cid("v4"));
    });

    it("reverts NotAssetOwner, AssetNotFound, AssetIsRevoked and MalformedCid", async () => {
      const { registry, publisher, stranger } = await loadFixture(publishedFixture);
      await expectRevert(registry.write.updateManifest([1n, cid(2)], { account: stranger.account }), "NotAssetOwner", [
        1n,
        stranger.account.address,
        publisher.account.address,
      ]);
      await expectRevert(registry.write.updateManifest([9n, cid(2)], { account: publisher.account }), "AssetNotFound", [9n]);
      await expectRevert(registry.write.updateManifest([1n, "0x02"], { account: publisher.account }), "MalformedCid", ["0x02", 0n]);
      await mined(registry.write.setState([1n, AssetState.Revoked], { account: publisher.account }));
      await expectRevert(registry.write.updateManifest([1n, cid(2)], { account: publisher.account }), "AssetIsRevoked", [1n]);
    });

    it("refuses ERC-721 operators: rights belong to the owner alone", async () => {
      const { registry, publisher, stranger } = await loadFixture(publishedFixture);
      await mined(registry.write.setApprovalForAll([stranger.account.address, true], { account: publisher.account }));
      await expectRevert(registry.write.updateManifest([1n, cid(2)], { account: stranger.account }), "NotAssetOwner", [
        1n,
        stranger.account.address,
        publisher.account.address,
      ]);
    });
  });

  describe("setState", () => {
    it("switches between Active and Deprecated and ends at Revoked, emitting AssetStateChanged", async () => {
      const { registry, publisher } = await loadFixture(publishedFixture);
      const account = publisher.account;
      let receipt = await mined(registry.write.setState([1n, AssetState.Deprecated], { account }));
      expect(eventsOf(receipt, registry)[0]!.args).to.deep.equal({
        assetId: 1n,
        previousState: AssetState.Active,
        newState: AssetState.Deprecated,
      });
      receipt = await mined(registry.write.setState([1n, AssetState.Active], { account }));
      expect(eventsOf(receipt, registry)[0]!.args).to.include({ previousState: AssetState.Deprecated });
      await mined(registry.write.setState([1n, AssetState.Revoked], { account }));
      expect(await registry.read.stateOf([1n])).to.equal(AssetState.Revoked);
    });

    it("reverts StateUnchanged, AssetIsRevoked, NotAssetOwner and AssetNotFound", async () => {
      const { registry, publisher, stranger } = await loadFixture(publishedFixture);
      const account = publisher.account;
      await expectRevert(registry.write.setState([1n, AssetState.Active], { account }), "StateUnchanged", [1n, AssetState.Active]);
      await expectRevert(registry.write.setState([1n, AssetState.Deprecated], { account: stranger.account }), "NotAssetOwner", [
        1n,
        stranger.account.address,
        publisher.account.address,
      ]);
      await expectRevert(registry.write.setState([2n, AssetState.Deprecated], { account }), "AssetNotFound", [2n]);
      await mined(registry.write.setState([1n, AssetState.Revoked], { account }));
      await expectRevert(registry.write.setState([1n, AssetState.Active], { account }), "AssetIsRevoked", [1n]);
    });
  });

  describe("datatokens", () => {
    it("publishWithDatatoken creates a clone, emits DatatokenCreated before the initial mint", async () => {
      const { registry, publisher } = await loadFixture(registryFixture);
      const { result } = await registry.simulate.publishWithDatatoken(
        [AssetKind.Dataset, cid(1), [], { accessPeriod: 3600n, initialSupply: 5n * ONE }],
        { account: publisher.account.address },
      );
      const receipt = await mined(
        registry.write.publishWithDatatoken([AssetKind.Dataset, cid(1), [], { accessPeriod: 3600n, initialSupply: 5n * ONE }], {
          account: publisher.account,
        }),
      );
      const [assetId, datatokenAddress] = result;
      expect(assetId).to.equal(1n);
      expect(await registry.read.datatokenOf([1n])).to.equal(datatokenAddress);
      const created = eventsOf(receipt, registry).find((event) => event.eventName === "DatatokenCreated");
      expect(created!.args).to.deep.equal({
        assetId: 1n,
        datatoken: datatokenAddress,
        owner: getAddress(publisher.account.address),
        accessPeriod: 3600n,
        initialSupply: 5n * ONE,
      });
      const datatoken = await hre.viem.getContractAt("Datatoken", datatokenAddress);
      const mint = eventsOf(receipt, datatoken)[0]!;
      expect(mint.eventName).to.equal("Transfer");
      expect(mint.logIndex).to.be.greaterThan(created!.logIndex);
      expect(await datatoken.read.balanceOf([publisher.account.address])).to.equal(5n * ONE);
      expect(await datatoken.read.assetId()).to.equal(1n);
      expect(await datatoken.read.accessPeriod()).to.equal(3600n);
      expect(await datatoken.read.registry()).to.equal(getAddress(registry.address));
    });

    it("publishWithDatatokenAndListing lists the asset and approves the marketplace in the same transaction", async () => {
      const { registry, marketplace, usdc, publisher } = await loadFixture(protocolFixture);
      await mined(
        registry.write.publishWithDatatokenAndListing(
          [
            AssetKind.Model,
            cid(1),
            [],
            { accessPeriod: 0n, initialSupply: 10n * ONE },
            { marketplace: marketplace.address, paymentToken: usdc.address, price: 5_000_000n },
          ],
          { account: publisher.account },
        ),
      );
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({
        paymentToken: getAddress(usdc.address),
        price: 5_000_000n,
        ownerEpoch: 0n,
      });
      const datatoken = await hre.viem.getContractAt("Datatoken", await registry.read.datatokenOf([1n]));
      expect(await datatoken.read.allowance([publisher.account.address, marketplace.address])).to.equal(2n ** 256n - 1n);
    });

    it("publishWithDatatokenAndListing reverts InvalidMarketplace when the marketplace is not a contract", async () => {
      const { registry, usdc, publisher, stranger } = await loadFixture(protocolFixture);
      const notAContract = stranger.account.address;
      await expectRevert(
        registry.write.publishWithDatatokenAndListing(
          [
            AssetKind.Model,
            cid(1),
            [],
            { accessPeriod: 0n, initialSupply: 0n },
            { marketplace: notAContract, paymentToken: usdc.address, price: 1n },
          ],
          { account: publisher.account },
        ),
        "InvalidMarketplace",
        [notAContract],
      );
    });

    it("createDatatoken adds a datatoken to an existing asset, once", async () => {
      const { registry, publisher, stranger } = await loadFixture(publishedFixture);
      const account = publisher.account;
      await expectRevert(
        registry.write.createDatatoken([1n, { accessPeriod: 0n, initialSupply: 0n }], { account: stranger.account }),
        "NotAssetOwner",
        [1n, stranger.account.address, publisher.account.address],
      );
      await expectRevert(registry.write.createDatatoken([5n, { accessPeriod: 0n, initialSupply: 0n }], { account }), "AssetNotFound", [5n]);
      const receipt = await mined(registry.write.createDatatoken([1n, { accessPeriod: 60n, initialSupply: 0n }], { account }));
      const datatoken = await registry.read.datatokenOf([1n]);
      expect(eventsOf(receipt, registry)[0]!.args).to.include({ assetId: 1n, datatoken, initialSupply: 0n });
      await expectRevert(registry.write.createDatatoken([1n, { accessPeriod: 0n, initialSupply: 0n }], { account }), "DatatokenExists", [
        1n,
        datatoken,
      ]);
    });

    it("createDatatoken reverts AssetIsRevoked on a revoked asset", async () => {
      const { registry, publisher } = await loadFixture(publishedFixture);
      const account = publisher.account;
      await mined(registry.write.setState([1n, AssetState.Revoked], { account }));
      await expectRevert(registry.write.createDatatoken([1n, { accessPeriod: 0n, initialSupply: 0n }], { account }), "AssetIsRevoked", [
        1n,
      ]);
    });
  });

  describe("ownerEpochOf", () => {
    /** The epoch read both ways: `ownerEpochOf` and the fourth value of `saleInfoOf`, which must agree. */
    async function epochOf(registry: Awaited<ReturnType<typeof registryFixture>>["registry"], assetId: bigint) {
      const epoch = await registry.read.ownerEpochOf([assetId]);
      const [, , , saleEpoch] = await registry.read.saleInfoOf([assetId]);
      expect(saleEpoch, "saleInfoOf's owner epoch").to.equal(epoch);
      return epoch;
    }

    it("is 0 at the mint, whichever way the asset was published, and whoever published it", async () => {
      const { registry, marketplace, usdc, publisher, stranger } = await loadFixture(protocolFixture);
      await mined(registry.write.publish([publisher.account.address, AssetKind.Dataset, cid(1), []], { account: stranger.account }));
      await mined(
        registry.write.publishWithDatatoken([AssetKind.Model, cid(2), [], { accessPeriod: 0n, initialSupply: ONE }], {
          account: publisher.account,
        }),
      );
      await mined(
        registry.write.publishWithDatatokenAndListing(
          [
            AssetKind.Model,
            cid(3),
            [],
            { accessPeriod: 0n, initialSupply: ONE },
            { marketplace: marketplace.address, paymentToken: usdc.address, price: 1n },
          ],
          { account: publisher.account },
        ),
      );
      for (const assetId of [1n, 2n, 3n]) {
        expect(await epochOf(registry, assetId), `asset ${assetId}`).to.equal(0n);
        expect((await registry.read.saleInfoOf([assetId]))[0]).to.equal(getAddress(publisher.account.address));
      }
      // The listing opened at publication is bound to epoch 0.
      expect((await marketplace.read.listingOf([3n])).ownerEpoch).to.equal(0n);
    });

    it("goes up by one per transfer: transferFrom, both safeTransferFrom overloads, an approved address and an operator", async () => {
      const { registry, publisher, buyer, stranger, newOwner } = await loadFixture(publishedFixture);
      const [a, b] = [publisher, newOwner];
      // 1: transferFrom by the owner.
      await mined(registry.write.transferFrom([a.account.address, b.account.address, 1n], { account: a.account }));
      expect(await epochOf(registry, 1n)).to.equal(1n);
      // 2: safeTransferFrom(from, to, id) by the owner.
      await mined(registry.write.safeTransferFrom([b.account.address, a.account.address, 1n], { account: b.account }));
      expect(await epochOf(registry, 1n)).to.equal(2n);
      // 3: safeTransferFrom(from, to, id, data) by the owner.
      await mined(registry.write.safeTransferFrom([a.account.address, b.account.address, 1n, "0x1234"], { account: a.account }));
      expect(await epochOf(registry, 1n)).to.equal(3n);
      // 4: transferFrom by the address approved for this token (the approval is cleared by the transfer).
      await mined(registry.write.approve([stranger.account.address, 1n], { account: b.account }));
      await mined(registry.write.transferFrom([b.account.address, a.account.address, 1n], { account: stranger.account }));
      expect(await registry.read.getApproved([1n])).to.equal(zeroAddress);
      expect(await epochOf(registry, 1n)).to.equal(4n);
      // 5: safeTransferFrom by an operator approved for all of the owner's tokens.
      await mined(registry.write.setApprovalForAll([buyer.account.address, true], { account: a.account }));
      await mined(registry.write.safeTransferFrom([a.account.address, b.account.address, 1n], { account: buyer.account }));
      expect(await epochOf(registry, 1n)).to.equal(5n);
      expect(await registry.read.ownerOf([1n])).to.equal(getAddress(b.account.address));
    });

    it("counts a transfer to the current owner itself as a transfer (the NFT emits Transfer and the epoch moves)", async () => {
      const { registry, publisher } = await loadFixture(publishedFixture);
      await mined(registry.write.transferFrom([publisher.account.address, publisher.account.address, 1n], { account: publisher.account }));
      expect(await registry.read.ownerOf([1n])).to.equal(getAddress(publisher.account.address));
      expect(await epochOf(registry, 1n)).to.equal(1n);
    });

    it("moves only for the transferred asset, never for a failed transfer or for owner actions that keep the NFT", async () => {
      const { registry, marketplace, publisher, stranger, newOwner } = await loadFixture(protocolFixture);
      for (const seed of [1, 2]) {
        await mined(registry.write.publish([publisher.account.address, AssetKind.Dataset, cid(seed), []]));
      }
      const account = publisher.account;
      // Owner actions that keep the NFT where it is.
      await mined(registry.write.updateManifest([1n, cid("v2")], { account }));
      await mined(registry.write.createDatatoken([1n, { accessPeriod: 0n, initialSupply: ONE }], { account }));
      await mined(registry.write.setState([1n, AssetState.Deprecated], { account }));
      await mined(registry.write.approve([stranger.account.address, 1n], { account }));
      expect(await epochOf(registry, 1n)).to.equal(0n);
      // Failed transfers: by someone without approval, from the wrong owner, to a contract that is no ERC-721 receiver.
      await expectRevert(
        registry.write.transferFrom([publisher.account.address, newOwner.account.address, 1n], { account: newOwner.account }),
        "ERC721InsufficientApproval",
        [newOwner.account.address, 1n],
      );
      await expectRevert(
        registry.write.transferFrom([newOwner.account.address, stranger.account.address, 1n], { account }),
        "ERC721IncorrectOwner",
        [newOwner.account.address, 1n, publisher.account.address],
      );
      await expectRevert(
        registry.write.safeTransferFrom([publisher.account.address, marketplace.address, 1n], { account }),
        "ERC721InvalidReceiver",
        [marketplace.address],
      );
      expect(await epochOf(registry, 1n)).to.equal(0n);
      // A transfer of asset 1 leaves asset 2's epoch alone.
      await mined(registry.write.transferFrom([publisher.account.address, newOwner.account.address, 1n], { account }));
      expect(await epochOf(registry, 1n)).to.equal(1n);
      expect(await epochOf(registry, 2n)).to.equal(0n);
    });

    it("reverts AssetNotFound for unknown ids (0 and past the last id)", async () => {
      const { registry } = await loadFixture(publishedFixture);
      for (const assetId of [0n, 2n, 2n ** 256n - 1n]) {
        await expectRevert(registry.read.ownerEpochOf([assetId]), "AssetNotFound", [assetId]);
        await expectRevert(registry.read.saleInfoOf([assetId]), "AssetNotFound", [assetId]);
      }
    });
  });

  describe("views", () => {
    it("assetOf and saleInfoOf follow the current owner", async () => {
      const { registry, publisher, newOwner } = await loadFixture(publishedFixture);
      await mined(registry.write.transferFrom([publisher.account.address, newOwner.account.address, 1n], { account: publisher.account }));
      const asset = await registry.read.assetOf([1n]);
      expect(asset).to.deep.equal({
        owner: getAddress(newOwner.account.address),
        kind: AssetKind.Dataset,
        state: AssetState.Active,
        version: 1,
        datatoken: zeroAddress,
        manifestCid: cid("dataset"),
      });
      // The fourth value is the owner epoch: one transfer so far.
      expect(await registry.read.saleInfoOf([1n])).to.deep.equal([
        getAddress(newOwner.account.address),
        AssetState.Active,
        zeroAddress,
        1n,
      ]);
      expect(await registry.read.datatokenImplementation()).to.match(/^0x[0-9a-fA-F]{40}$/);
    });

    it("every per-asset view reverts AssetNotFound for unknown ids", async () => {
      const { registry } = await loadFixture(publishedFixture);
      for (const read of [
        () => registry.read.kindOf([2n]),
        () => registry.read.stateOf([2n]),
        () => registry.read.datatokenOf([2n]),
        () => registry.read.manifestOf([2n]),
        () => registry.read.assetOf([2n]),
        () => registry.read.saleInfoOf([2n]),
        () => registry.read.ownerEpochOf([2n]),
        () => registry.read.tokenURI([2n]),
      ]) {
        await expectRevert(read(), "AssetNotFound", [2n]);
      }
    });

    it("supports ERC-165 for ERC-721, its metadata extension and ERC-4906", async () => {
      const { registry } = await loadFixture(registryFixture);
      for (const id of ["0x01ffc9a7", "0x80ac58cd", "0x5b5e139f", "0x49064906"] as const) {
        expect(await registry.read.supportsInterface([id])).to.equal(true);
      }
      expect(await registry.read.supportsInterface(["0xffffffff"])).to.equal(false);
    });
  });
});
