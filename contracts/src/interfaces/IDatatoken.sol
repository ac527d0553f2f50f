// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {AssetState} from "../types/Asset.sol";

/// @title IDatatoken
/// @notice The access token of one asset: an ERC-20 (18 decimals) with ERC-2612 permit (timestamp deadlines), deployed
///         as an EIP-1167 clone by the AssetRegistry. One whole token (`ORDER_AMOUNT`) buys one order: an access
///         receipt for a consumer that the asset's provider checks off-chain through the `OrderStarted` event.
/// @dev Minting belongs to whoever owns the asset NFT now, read live from the registry on every call, so the right moves
///      with the NFT. Tokens are spent only by orders (there is no other burn), so
///      `totalSupply == minted - ORDER_AMOUNT * orders`. The EIP-712 domain is
///      `{ name: "Mycelium Datatoken", version: "1", chainId, verifyingContract: <the clone> }`, and `name()` returns
///      the same string; `symbol()` is `DT-<assetId>`. ERC-20 misuse reverts with OpenZeppelin's ERC-6093 errors
///      (`ERC20InsufficientBalance`, `ERC20InsufficientAllowance`, ...), bad permits with `ERC2612ExpiredSignature` or
///      `ERC2612InvalidSigner`.
interface IDatatoken is IERC20Metadata, IERC20Permit, IERC5267 {
    // ----------------------------------------------------------------------------------------------------------------
    // Errors
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice Only the current owner of the asset NFT may mint.
    error NotAssetOwner(uint256 assetId, address caller, address owner);

    /// @notice Orders need an `Active` asset.
    error AssetNotActive(uint256 assetId, AssetState state);

    /// @notice An order must name a consumer (not the zero address).
    error InvalidConsumer();

    /// @notice Only the AssetRegistry may initialize a clone (it does so once, in the transaction that creates it).
    error NotRegistry(address caller);

    // ----------------------------------------------------------------------------------------------------------------
    // Events
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice An access receipt: `consumer` may use asset `assetId` until `validUntil`. Emitted right after
    ///         `ORDER_AMOUNT` was burned from `from` (ERC-20 `Transfer(from, address(0), ORDER_AMOUNT)` precedes it).
    /// @param consumer Who is granted access.
    /// @param payer Who spent the token: the holder for `order`, the spender (the Marketplace, whose `Purchased` event
    ///        in the same transaction names the buyer) for `orderFrom`. Never a name a caller chose.
    /// @param from Whose datatoken was spent (the payer, or the seller's inventory when the Marketplace sells an order).
    /// @param validUntil Unix time the access ends; `type(uint64).max` when the datatoken's access period is unlimited.
    event OrderStarted(
        uint256 indexed assetId,
        address indexed consumer,
        address indexed payer,
        address from,
        uint64 validUntil
    );

    // ----------------------------------------------------------------------------------------------------------------
    // Functions
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice Units of datatoken one order spends: one whole token.
    function ORDER_AMOUNT() external view returns (uint256);

    /// @notice The AssetRegistry this datatoken belongs to.
    function registry() external view returns (address);

    /// @notice The asset this datatoken gives access to.
    function assetId() external view returns (uint256);

    /// @notice Seconds of access per order; 0 means unlimited.
    function accessPeriod() external view returns (uint64);

    /// @notice Called by the registry in the transaction that creates the clone: mints `initialSupply` to the asset
    ///         owner and, when `operator` is not zero, approves it to move the owner's tokens without limit.
    function initialize(address owner, uint256 initialSupply, address operator) external;

    /// @notice Mints `amount` units to `to`. Only the current owner of the asset NFT.
    function mint(address to, uint256 amount) external;

    /// @notice Spends one whole token of the caller and grants `consumer` access; emits `OrderStarted` with the caller
    ///         as payer. Reverts `AssetNotActive` unless the asset is active.
    /// @return validUntil Unix time the access ends (`type(uint64).max` for unlimited).
    function order(address consumer) external returns (uint64 validUntil);

    /// @notice Spends one whole token of `from`, using the caller's allowance from `from` like `transferFrom`, and
    ///         grants `consumer` access. The Marketplace uses it to sell an order straight from the seller's inventory
    ///         in one hop; the caller is recorded as the payer.
    /// @return validUntil Unix time the access ends (`type(uint64).max` for unlimited).
    function orderFrom(address from, address consumer) external returns (uint64 validUntil);
}
