// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMarketplace} from "../interfaces/IMarketplace.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDatatoken} from "../interfaces/IDatatoken.sol";
import {AssetState} from "../types/Asset.sol";

/// @title Marketplace
/// @notice Fixed-rate listings and dispensers for AssetRegistry datatokens. See IMarketplace for the rules.
/// @dev No balance is ever held here: payment goes from the buyer straight to the seller, the treasury and the
///      consume-market recipient, and datatokens go from the seller's inventory straight to the buyer (`buy`) or into an
///      order (`buyAndOrder`, one token hop instead of a transfer to the buyer and a burn). Everything the sale depends
///      on (owner, state, datatoken, owner epoch) is read from the registry on every call, so rights follow the NFT and
///      terms set by a previous owner lapse with the transfer. The
///      reentrancy guard is transient (EIP-1153), so it costs about 200 gas instead of two storage writes.
contract Marketplace is IMarketplace, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IMarketplace
    uint16 public constant PROTOCOL_FEE_CAP_BPS = 100;

    /// @inheritdoc IMarketplace
    uint16 public constant MARKET_FEE_CAP_BPS = 500;

    uint256 private constant BPS = 10_000;

    /// @dev Whole datatoken, in datatoken units (datatokens have 18 decimals).
    uint256 private constant ONE_DATATOKEN = 1e18;

    IAssetRegistry private immutable _registry;

    /// @dev One slot: 20 + 2 bytes.
    struct ProtocolFee {
        address treasury;
        uint16 bps;
    }

    /// @dev One slot: a dispenser's limit and the owner epoch it was set in.
    struct Dispenser {
        uint64 maxPerWallet;
        uint64 ownerEpoch;
    }

    ProtocolFee private _protocolFee;
    mapping(uint256 assetId => Listing) private _listings;
    mapping(uint256 assetId => Dispenser) private _dispensers;
    mapping(uint256 assetId => mapping(uint256 ownerEpoch => mapping(address wallet => uint256 count))) private _dispensed;
    mapping(address token => bool) private _registeredPaymentTokens;

    /// @param registry_ The AssetRegistry whose assets are traded here.
    /// @param admin May change the protocol fee and treasury (Ownable2Step).
    /// @param treasury Receives the protocol fee.
    /// @param protocolFeeBps Initial protocol fee, at most `PROTOCOL_FEE_CAP_BPS`.
    constructor(IAssetRegistry registry_, address admin, address treasury, uint16 protocolFeeBps) Ownable(admin) {
        _registry = registry_;
        _setProtocolFee(treasury, protocolFeeBps);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // External: asset owners
    // ----------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IMarketplace
    function setListing(uint256 assetId, address paymentToken, uint96 price) external {
        (address owner, address datatoken, uint64 epoch) = _requireTradable(assetId, msg.sender != address(_registry));
        if (price == 0) revert ZeroPrice();
        if (paymentToken == datatoken) revert InvalidPaymentToken(paymentToken);
        if (!_registeredPaymentTokens[paymentToken]) _registerPaymentToken(paymentToken);
        _listings[assetId] = Listing({paymentToken: paymentToken, price: price, ownerEpoch: epoch});
        emit ListingSet(assetId, datatoken, paymentToken, price, owner);
    }

    /// @inheritdoc IMarketplace
    function closeListing(uint256 assetId) external {
        uint64 epoch = _requireOwner(assetId);
        Listing memory listing = _listings[assetId];
        if (listing.price == 0 || listing.ownerEpoch != epoch) revert NotListed(assetId);
        delete _listings[assetId];
        emit ListingClosed(assetId);
    }

    /// @inheritdoc IMarketplace
    function setDispenser(uint256 assetId, uint64 maxPerWallet) external {
        (, address datatoken, uint64 epoch) = _requireTradable(assetId, true);
        if (maxPerWallet == 0) revert InvalidDispenserLimit(maxPerWallet);
        _dispensers[assetId] = Dispenser({maxPerWallet: maxPerWallet, ownerEpoch: epoch});
        emit DispenserSet(assetId, datatoken, maxPerWallet);
    }

    /// @inheritdoc IMarketplace
    function closeDispenser(uint256 assetId) external {
        uint64 epoch = _requireOwner(assetId);
        Dispenser memory dispenser = _dispensers[assetId];
        if (dispenser.maxPerWallet == 0 || dispenser.ownerEpoch != epoch) revert NoDispenser(assetId);
        delete _dispensers[assetId];
        emit DispenserClosed(assetId);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // External: buyers
    // ----------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IMarketplace
    function buy(
        uint256 assetId,
        uint64 count,
        address paymentToken,
        uint256 maxPayment,
        address marketFeeRecipient,
        uint16 marketFeeBps
    ) external nonReentrant returns (uint256 total) {
        if (count == 0) revert ZeroCount();
        Sale memory sale = _prepareSale(assetId, count, paymentToken, maxPayment, marketFeeRecipient, marketFeeBps);
        _collectPayment(sale);
        IERC20(sale.datatoken).safeTransferFrom(sale.seller, msg.sender, uint256(count) * ONE_DATATOKEN);
        _emitPurchased(assetId, sale, address(0));
        return sale.base + sale.protocolFee + sale.marketFee;
    }

    /// @inheritdoc IMarketplace
    function buyAndOrder(
        uint256 assetId,
        address consumer,
        address paymentToken,
        uint256 maxPayment,
        address marketFeeRecipient,
        uint16 marketFeeBps,
        Permit calldata permit
    ) external nonReentrant returns (uint64 validUntil) {
        if (consumer == address(0)) revert InvalidConsumer();
        Sale memory sale = _prepareSale(assetId, 1, paymentToken, maxPayment, marketFeeRecipient, marketFeeBps);
        if (permit.deadline != 0) _permit(paymentToken, permit, sale.base + sale.protocolFee + sale.marketFee);
        _collectPayment(sale);
        // The datatoken records this contract as the order's payer (the account that spent the seller's token); the
        // buyer is in `Purchased`, emitted right after.
        validUntil = IDatatoken(sale.datatoken).orderFrom(sale.seller, consumer);
        _emitPurchased(assetId, sale, consumer);
    }

    /// @inheritdoc IMarketplace
    function dispense(uint256 assetId, uint64 count) external nonReentrant {
        if (count == 0) revert ZeroCount();
        Dispenser memory dispenser = _dispensers[assetId];
        if (dispenser.maxPerWallet == 0) revert NoDispenser(assetId);
        (address owner, AssetState state, address datatoken, uint256 epoch) = _registry.saleInfoOf(assetId);
        if (dispenser.ownerEpoch != epoch) revert NoDispenser(assetId);
        if (state != AssetState.Active) revert AssetNotActive(assetId, state);
        uint256 already = _dispensed[assetId][epoch][msg.sender];
        // The owner may have lowered the limit below what the wallet already received: nothing remains then.
        uint256 remaining = already >= dispenser.maxPerWallet ? 0 : dispenser.maxPerWallet - already;
        if (count > remaining) revert DispenserLimitExceeded(assetId, msg.sender, count, remaining);
        _dispensed[assetId][epoch][msg.sender] = already + count;
        IERC20(datatoken).safeTransferFrom(owner, msg.sender, uint256(count) * ONE_DATATOKEN);
        emit Dispensed(assetId, msg.sender, owner, count);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // External: protocol administration
    // ----------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IMarketplace
    function setProtocolFee(address treasury, uint16 bps) external onlyOwner {
        _setProtocolFee(treasury, bps);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // External: views
    // ----------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IMarketplace
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IMarketplace
    function protocolFee() external view returns (address treasury, uint16 bps) {
        ProtocolFee memory fee = _protocolFee;
        return (fee.treasury, fee.bps);
    }

    /// @inheritdoc IMarketplace
    function listingOf(uint256 assetId) external view returns (Listing memory listing) {
        listing = _listings[assetId];
        if (listing.price != 0 && listing.ownerEpoch != _registry.ownerEpochOf(assetId)) delete listing;
    }

    /// @inheritdoc IMarketplace
    function dispenserOf(uint256 assetId) external view returns (uint64) {
        Dispenser memory dispenser = _dispensers[assetId];
        if (dispenser.maxPerWallet == 0 || dispenser.ownerEpoch != _registry.ownerEpochOf(assetId)) return 0;
        return dispenser.maxPerWallet;
    }

    /// @inheritdoc IMarketplace
    function dispensedTo(uint256 assetId, address wallet) external view returns (uint256) {
        return _dispensed[assetId][_registry.ownerEpochOf(assetId)][wallet];
    }

    /// @inheritdoc IMarketplace
    function isPaymentTokenRegistered(address token) external view returns (bool) {
        return _registeredPaymentTokens[token];
    }

    /// @inheritdoc IMarketplace
    function quote(uint256 assetId, uint64 count, uint16 marketFeeBps)
        external
        view
        returns (uint256 base, uint256 protocolFee_, uint256 marketFee, uint256 total)
    {
        Listing memory listing = _listings[assetId];
        if (listing.price == 0 || listing.ownerEpoch != _registry.ownerEpochOf(assetId)) revert NotListed(assetId);
        (base, protocolFee_, marketFee) = _amounts(listing.price, count, _protocolFee.bps, marketFeeBps);
        total = base + protocolFee_ + marketFee;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Private
    // ----------------------------------------------------------------------------------------------------------------

    /// @dev What a purchase moves, computed before any token moves.
    struct Sale {
        address seller;
        address datatoken;
        address paymentToken;
        address treasury;
        address marketFeeRecipient;
        uint64 count;
        uint256 base;
        uint256 protocolFee;
        uint256 marketFee;
    }

    /// @dev All checks of a purchase: listing, expected payment token, fee bounds, asset state, payment bound.
    function _prepareSale(
        uint256 assetId,
        uint64 count,
        address paymentToken,
        uint256 maxPayment,
        address marketFeeRecipient,
        uint16 marketFeeBps
    ) private view returns (Sale memory sale) {
        Listing memory listing = _listings[assetId];
        if (listing.price == 0) revert NotListed(assetId);
        AssetState state;
        uint256 epoch;
        (sale.seller, state, sale.datatoken, epoch) = _registry.saleInfoOf(assetId);
        // A listing a previous owner set lapsed with the transfer: it is no listing at all.
        if (listing.ownerEpoch != epoch) revert NotListed(assetId);
        if (listing.paymentToken != paymentToken) {
            revert PaymentTokenMismatch(assetId, paymentToken, listing.paymentToken);
        }
        if (marketFeeBps != 0 && marketFeeRecipient == address(0)) revert MissingMarketFeeRecipient();
        if (state != AssetState.Active) revert AssetNotActive(assetId, state);
        ProtocolFee memory fee = _protocolFee;
        sale.paymentToken = paymentToken;
        sale.treasury = fee.treasury;
        sale.marketFeeRecipient = marketFeeRecipient;
        sale.count = count;
        (sale.base, sale.protocolFee, sale.marketFee) = _amounts(listing.price, count, fee.bps, marketFeeBps);
        uint256 total = sale.base + sale.protocolFee + sale.marketFee;
        if (total > maxPayment) revert PaymentTooHigh(total, maxPayment);
    }

    /// @dev Pays the seller, the treasury and the consume-market recipient straight from the buyer. The seller must
    ///      receive exactly `base`: a token that takes a fee on transfer is refused. An owner buying from its own
    ///      listing pays itself nothing (no transfer), only the fees.
    function _collectPayment(Sale memory sale) private {
        IERC20 token = IERC20(sale.paymentToken);
        if (msg.sender != sale.seller) {
            uint256 sellerBefore = token.balanceOf(sale.seller);
            token.safeTransferFrom(msg.sender, sale.seller, sale.base);
            uint256 received = token.balanceOf(sale.seller) - sellerBefore;
            if (received != sale.base) revert TransferAmountMismatch(address(token), sale.base, received);
        }
        if (sale.protocolFee != 0) token.safeTransferFrom(msg.sender, sale.treasury, sale.protocolFee);
        if (sale.marketFee != 0) token.safeTransferFrom(msg.sender, sale.marketFeeRecipient, sale.marketFee);
    }

    function _emitPurchased(uint256 assetId, Sale memory sale, address consumer) private {
        emit Purchased(
            assetId,
            msg.sender,
            sale.seller,
            sale.paymentToken,
            sale.count,
            sale.base,
            sale.protocolFee,
            sale.marketFee,
            sale.marketFeeRecipient,
            consumer
        );
    }

    /// @dev Applies the buyer's permit. If it fails (typically because someone front-ran the same permit), the purchase
    ///      still goes on when the allowance already covers `needed`; otherwise the permit's own error is raised.
    function _permit(address paymentToken, Permit calldata permit, uint256 needed) private {
        try IERC20Permit(paymentToken).permit(
            msg.sender, address(this), permit.value, permit.deadline, permit.v, permit.r, permit.s
        ) {} catch (bytes memory reason) {
            if (IERC20(paymentToken).allowance(msg.sender, address(this)) < needed) {
                assembly ("memory-safe") {
                    revert(add(reason, 32), mload(reason))
                }
            }
        }
    }

    function _amounts(uint96 price, uint64 count, uint16 protocolFeeBps, uint16 marketFeeBps)
        private
        pure
        returns (uint256 base, uint256 protocolFee_, uint256 marketFee)
    {
        if (marketFeeBps > MARKET_FEE_CAP_BPS) revert MarketFeeTooHigh(marketFeeBps, MARKET_FEE_CAP_BPS);
        // price < 2^96 and count < 2^64, so base < 2^160 and base * bps < 2^176: no overflow. Fees round up, so that
        // splitting a purchase into small ones never avoids them.
        base = uint256(price) * count;
        protocolFee_ = Math.mulDiv(base, protocolFeeBps, BPS, Math.Rounding.Ceil);
        marketFee = Math.mulDiv(base, marketFeeBps, BPS, Math.Rounding.Ceil);
    }

    function _setProtocolFee(address treasury, uint16 bps) private {
        if (bps > PROTOCOL_FEE_CAP_BPS) revert ProtocolFeeTooHigh(bps, PROTOCOL_FEE_CAP_BPS);
        if (bps != 0 && treasury == address(0)) revert InvalidTreasury(treasury);
        _protocolFee = ProtocolFee({treasury: treasury, bps: bps});
        emit ProtocolFeeSet(treasury, bps);
    }

    /// @dev Records a payment token the first time a listing uses it, with its decimals for indexers.
    function _registerPaymentToken(address token) private {
        if (token.code.length == 0) revert InvalidPaymentToken(token);
        uint8 decimals;
        try IERC20Metadata(token).decimals() returns (uint8 d) {
            decimals = d;
        } catch {
            revert InvalidPaymentToken(token);
        }
        _registeredPaymentTokens[token] = true;
        emit PaymentTokenRegistered(token, decimals);
    }

    /// @dev Checks that the caller owns the asset (unless `checkOwner` is false: the registry acting for a publisher),
    ///      that it is active and has a datatoken; returns the owner, the datatoken and the owner epoch.
    function _requireTradable(uint256 assetId, bool checkOwner)
        private
        view
        returns (address owner, address datatoken, uint64 epoch)
    {
        AssetState state;
        uint256 ownerEpoch;
        (owner, state, datatoken, ownerEpoch) = _registry.saleInfoOf(assetId);
        if (checkOwner && msg.sender != owner) revert NotAssetOwner(assetId, msg.sender, owner);
        if (state != AssetState.Active) revert AssetNotActive(assetId, state);
        if (datatoken == address(0)) revert NoDatatoken(assetId);
        epoch = SafeCast.toUint64(ownerEpoch);
    }

    /// @dev Checks that the caller owns the asset; returns the owner epoch.
    function _requireOwner(uint256 assetId) private view returns (uint64) {
        (address owner,,, uint256 epoch) = _registry.saleInfoOf(assetId);
        if (msg.sender != owner) revert NotAssetOwner(assetId, msg.sender, owner);
        return SafeCast.toUint64(epoch);
    }
}
