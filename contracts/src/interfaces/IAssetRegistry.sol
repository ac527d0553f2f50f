// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {AssetKind, AssetState} from "../types/Asset.sol";

/// @title IAssetRegistry
/// @notice One ERC-721 registry for every Mycelium asset (datasets and models). Each token is an asset: its kind, the
///         CIDv1 of its current manifest (a dag-json record on IPFS), a manifest version, a lifecycle state and, once
///         created, its datatoken (an EIP-1167 clone of one Datatoken implementation). Lineage (parent asset ids) is
///         validated at publication and kept in the `AssetPublished` event only.
/// @dev Asset ids start at 1 and increase by one per publication. Every right over an asset (update its manifest,
///      change its state, create its datatoken, mint datatokens, open or change listings, receive proceeds) belongs to
///      whoever owns its NFT now, never to ERC-721 operators or to a former owner. Besides the errors below, calls
///      revert with `EmptyCid()` or `MalformedCid(bytes cid, uint256 offset)` (contracts/libraries/CidLib.sol) for a
///      bad manifest CID and with OpenZeppelin's ERC-6093 errors for ERC-721 misuse (for example
///      `ERC721InvalidReceiver(address(0))` when publishing to the zero address).
interface IAssetRegistry is IERC4906 {
    /// @notice Settings of a datatoken created by the registry.
    /// @param accessPeriod Seconds of access an order grants, from the block of the order; 0 means access never expires.
    /// @param initialSupply Datatoken units (18 decimals) minted to the asset owner when the datatoken is created.
    struct DatatokenParams {
        uint64 accessPeriod;
        uint256 initialSupply;
    }

    /// @notice A fixed-rate listing opened in the same transaction as the publication.
    /// @param marketplace The Marketplace to list on. It is approved to move the owner's datatokens without limit (the
    ///        approval an ordinary listing needs), and it must trust this registry to open listings for new assets.
    /// @param paymentToken The ERC-20 buyers pay with (any decimals).
    /// @param price Price of one whole datatoken, in the smallest unit of `paymentToken`.
    struct ListingParams {
        address marketplace;
        address paymentToken;
        uint96 price;
    }

    /// @notice Everything the registry stores about an asset, with its current owner.
    struct Asset {
        address owner;
        AssetKind kind;
        AssetState state;
        uint32 version;
        address datatoken;
        bytes manifestCid;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Errors
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice No asset has this id.
    error AssetNotFound(uint256 assetId);

    /// @notice Only the current owner of the asset NFT may do this (ERC-721 operators and approved addresses may not).
    /// @param caller The address that tried.
    /// @param owner The current owner.
    error NotAssetOwner(uint256 assetId, address caller, address owner);

    /// @notice A lineage parent does not exist.
    error ParentNotFound(uint256 parentId);

    /// @notice A lineage parent is named twice.
    error DuplicateParent(uint256 parentId);

    /// @notice More lineage parents than `MAX_PARENTS`.
    error TooManyParents(uint256 count, uint256 max);

    /// @notice The asset is revoked: revocation is final, its manifest and state can no longer change.
    error AssetIsRevoked(uint256 assetId);

    /// @notice `setState` was asked for the state the asset already has.
    error StateUnchanged(uint256 assetId, AssetState state);

    /// @notice The asset already has a datatoken (one per asset).
    error DatatokenExists(uint256 assetId, address datatoken);

    /// @notice `ListingParams.marketplace` is not a contract.
    error InvalidMarketplace(address marketplace);

    // ----------------------------------------------------------------------------------------------------------------
    // Events
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice A new asset was minted (after the ERC-721 `Transfer` from the zero address).
    /// @param assetId The new asset id.
    /// @param owner The owner of the new asset NFT.
    /// @param kind Dataset or model.
    /// @param publisher The account that called (the owner, or a contract publishing on the owner's behalf).
    /// @param manifestCid Binary CIDv1 of the manifest (version 1).
    /// @param parents Lineage: ids of the assets this one derives from, in the order given (only kept in this event).
    event AssetPublished(
        uint256 indexed assetId,
        address indexed owner,
        AssetKind indexed kind,
        address publisher,
        bytes manifestCid,
        uint256[] parents
    );

    /// @notice The manifest of an asset was replaced; ERC-4906 `MetadataUpdate(assetId)` follows.
    /// @param version The new manifest version (the first manifest is version 1).
    /// @param manifestCid Binary CIDv1 of the new manifest.
    event ManifestUpdated(uint256 indexed assetId, uint32 indexed version, bytes manifestCid);

    /// @notice The lifecycle state of an asset changed.
    event AssetStateChanged(uint256 indexed assetId, AssetState previousState, AssetState newState);

    /// @notice The datatoken clone of an asset was created. Indexers discover datatokens through this event; the
    ///         clone's initial mint (`Transfer` from the zero address to `owner`) follows it.
    /// @param datatoken The clone's address (an ERC-20 with 18 decimals and ERC-2612 permit).
    /// @param owner The asset owner that received `initialSupply`.
    /// @param accessPeriod Seconds of access per order, 0 for unlimited.
    /// @param initialSupply Units minted to `owner` at creation.
    event DatatokenCreated(
        uint256 indexed assetId,
        address indexed datatoken,
        address indexed owner,
        uint64 accessPeriod,
        uint256 initialSupply
    );

    // ----------------------------------------------------------------------------------------------------------------
    // Publishing
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice Mints a new asset NFT to `owner`. Anyone may call (for example a contract publishing a trained model on
    ///         its sponsor's behalf); the caller is recorded as `publisher` in `AssetPublished`.
    /// @param owner Receives the asset NFT.
    /// @param kind Dataset or model.
    /// @param manifestCid Binary CIDv1 of the manifest; reverts `EmptyCid` / `MalformedCid` otherwise.
    /// @param parents Lineage parents: existing, distinct asset ids, at most `MAX_PARENTS`.
    /// @return assetId The new asset id (ids start at 1 and increase).
    function publish(address owner, AssetKind kind, bytes calldata manifestCid, uint256[] calldata parents)
        external
        returns (uint256 assetId);

    /// @notice Publishes an asset owned by the caller and creates its datatoken in the same transaction.
    /// @return assetId The new asset id.
    /// @return datatoken The new datatoken clone.
    function publishWithDatatoken(
        AssetKind kind,
        bytes calldata manifestCid,
        uint256[] calldata parents,
        DatatokenParams calldata datatokenParams
    ) external returns (uint256 assetId, address datatoken);

    /// @notice Publishes an asset owned by the caller, creates its datatoken, approves `listing.marketplace` to sell the
    ///         caller's datatokens and opens a fixed-rate listing there, all in one transaction.
    /// @return assetId The new asset id.
    /// @return datatoken The new datatoken clone.
    function publishWithDatatokenAndListing(
        AssetKind kind,
        bytes calldata manifestCid,
        uint256[] calldata parents,
        DatatokenParams calldata datatokenParams,
        ListingParams calldata listing
    ) external returns (uint256 assetId, address datatoken);

    /// @notice Creates the datatoken of an existing asset (for example a model minted by TrainingJobs). Owner only,
    ///         once per asset, not on a revoked asset.
    /// @return datatoken The new datatoken clone.
    function createDatatoken(uint256 assetId, DatatokenParams calldata datatokenParams)
        external
        returns (address datatoken);

    // ----------------------------------------------------------------------------------------------------------------
    // Owner actions
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice Replaces the manifest of an asset, bumps its version and emits `ManifestUpdated` then ERC-4906
    ///         `MetadataUpdate`. Owner only; not on a revoked asset.
    /// @return version The new version.
    function updateManifest(uint256 assetId, bytes calldata manifestCid) external returns (uint32 version);

    /// @notice Changes the lifecycle state. Owner only. `Active` and `Deprecated` can be switched back and forth;
    ///         `Revoked` is final. Only `Active` assets accept orders, listings, purchases and dispensing.
    function setState(uint256 assetId, AssetState newState) external;

    // ----------------------------------------------------------------------------------------------------------------
    // Views (all revert `AssetNotFound` for unknown ids)
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice Maximum number of lineage parents per asset.
    function MAX_PARENTS() external view returns (uint256);

    /// @notice The implementation every datatoken clone delegates to (deployed by the registry's constructor).
    function datatokenImplementation() external view returns (address);

    /// @notice Number of assets published so far; also the highest asset id.
    function assetCount() external view returns (uint256);

    /// @notice Dataset or model.
    function kindOf(uint256 assetId) external view returns (AssetKind);

    /// @notice Current lifecycle state.
    function stateOf(uint256 assetId) external view returns (AssetState);

    /// @notice The asset's datatoken, or the zero address if it has none yet.
    function datatokenOf(uint256 assetId) external view returns (address);

    /// @notice Binary CIDv1 of the current manifest.
    function manifestOf(uint256 assetId) external view returns (bytes memory);

    /// @notice The full record of an asset, with its current owner.
    function assetOf(uint256 assetId) external view returns (Asset memory);

    /// @notice How many times the asset NFT was transferred (0 until its first transfer; a transfer to the owner itself
    ///         counts too). Whatever a previous owner set up
    ///         in the asset's name elsewhere (listings, dispensers) is bound to the epoch it was set in and lapses when
    ///         the NFT moves.
    function ownerEpochOf(uint256 assetId) external view returns (uint256);

    /// @notice What a sale needs in one call: the current owner (who receives proceeds and holds the inventory), the
    ///         state, the datatoken (zero if none) and the owner epoch (see `ownerEpochOf`).
    function saleInfoOf(uint256 assetId)
        external
        view
        returns (address owner, AssetState state, address datatoken, uint256 ownerEpoch);
}
