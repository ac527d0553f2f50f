// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AssetState} from "../types/Asset.sol";

/// @title IMarketplace
/// @notice Fixed-rate listings and a dispenser for the datatokens of AssetRegistry assets.
/// @dev Listings and dispensers belong to the asset, not to a wallet: only the asset NFT's current owner can open,
///      change or close them, datatokens are always taken from the current owner's balance (the inventory, which the
///      owner approves this contract to move), and proceeds always go to the current owner. A listing or dispenser is
///      bound to the owner epoch it was set in (`IAssetRegistry.ownerEpochOf`): when the NFT changes hands it lapses,
///      so a previous owner's terms never sell the new owner's inventory; the new owner sets its own.
///
///      Datatokens are sold in whole tokens (`count`), so every amount is exact in the payment token's own decimals
///      (6, 18 or any other): `base = price * count`. Fees are charged on top of `base` and rounded up (so that no
///      purchase escapes them by being small): `protocolFee = ceil(base * protocolFeeBps / 10_000)` to the treasury
///      (at most 1%, set by the contract owner) and `marketFee = ceil(base * marketFeeBps / 10_000)` to a recipient the
///      buyer's front-end names (at most 5%). The seller receives exactly `base`; the buyer pays
///      `base + protocolFee + marketFee`, bounded by `maxPayment`. Payment moves straight from the buyer to each
///      recipient (no balance is ever held here). A payment token whose transfer to the seller delivers other than
///      `base` (fee-on-transfer) is refused with `TransferAmountMismatch`; rebasing tokens are not supported. An owner
///      buying from its own listing pays only the fees (nothing moves from it to itself).
///
///      Besides the errors below, calls bubble up the registry's `AssetNotFound(uint256)`, the tokens' ERC-6093 errors
///      (`ERC20InsufficientAllowance`, ...), the payment token's permit errors (`ERC2612ExpiredSignature`,
///      `ERC2612InvalidSigner`), `ReentrancyGuardReentrantCall()` and OpenZeppelin Ownable's errors.
interface IMarketplace {
    /// @notice An ERC-2612 permit of the payment token signed by the buyer for this contract. A zero `deadline` means
    ///         "no permit": the buyer's existing allowance is used.
    struct Permit {
        uint256 value;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice A fixed-rate listing. `price` is zero when the asset is not listed (or its listing lapsed with a
    ///         transfer of the NFT).
    /// @param ownerEpoch The asset's owner epoch when the listing was set: it sells only in that epoch.
    struct Listing {
        address paymentToken;
        uint96 price;
        uint64 ownerEpoch;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Errors
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice No asset has this id (raised by the registry, declared here so the Marketplace ABI decodes it).
    error AssetNotFound(uint256 assetId);

    /// @notice Only the current owner of the asset NFT may do this.
    error NotAssetOwner(uint256 assetId, address caller, address owner);

    /// @notice Listings, purchases and dispensing need an `Active` asset.
    error AssetNotActive(uint256 assetId, AssetState state);

    /// @notice The asset has no datatoken yet (create it with `AssetRegistry.createDatatoken`).
    error NoDatatoken(uint256 assetId);

    /// @notice The asset has no open listing.
    error NotListed(uint256 assetId);

    /// @notice The asset has no open dispenser.
    error NoDispenser(uint256 assetId);

    /// @notice A listing price must be above zero (free assets use the dispenser).
    error ZeroPrice();

    /// @notice The payment token has no code, does not answer `decimals()`, or is the asset's own datatoken.
    error InvalidPaymentToken(address token);

    /// @notice The buyer expected another payment token than the listing's (it changed since the buyer looked).
    error PaymentTokenMismatch(uint256 assetId, address expected, address actual);

    /// @notice An order must name a consumer (not the zero address).
    error InvalidConsumer();

    /// @notice A purchase or dispense of zero tokens.
    error ZeroCount();

    /// @notice The total payment exceeds the buyer's bound.
    error PaymentTooHigh(uint256 total, uint256 maxPayment);

    /// @notice The consume-market fee exceeds `MARKET_FEE_CAP_BPS`.
    error MarketFeeTooHigh(uint256 bps, uint256 cap);

    /// @notice The protocol fee exceeds `PROTOCOL_FEE_CAP_BPS`.
    error ProtocolFeeTooHigh(uint256 bps, uint256 cap);

    /// @notice A non-zero consume-market fee needs a recipient.
    error MissingMarketFeeRecipient();

    /// @notice A non-zero protocol fee needs a treasury.
    error InvalidTreasury(address treasury);

    /// @notice A dispenser's per-wallet limit must be above zero.
    error InvalidDispenserLimit(uint256 maxPerWallet);

    /// @notice The payment token delivered less than the amount asked (fee-on-transfer tokens are not supported).
    error TransferAmountMismatch(address token, uint256 expected, uint256 received);

    /// @notice The wallet would receive more than the dispenser's per-wallet limit (`remaining` is 0 when the limit
    ///         was lowered below what the wallet already received).
    /// @param remaining Whole tokens the wallet may still receive.
    error DispenserLimitExceeded(uint256 assetId, address wallet, uint256 requested, uint256 remaining);

    // ----------------------------------------------------------------------------------------------------------------
    // Events
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice A payment token was used for the first time; amounts in it are in units of 10^-decimals.
    event PaymentTokenRegistered(address indexed token, uint8 decimals);

    /// @notice A listing was opened or changed.
    /// @param owner The asset owner who set it (or for whom the registry set it at publication).
    /// @param price Price of one whole datatoken in the smallest unit of `paymentToken`.
    event ListingSet(
        uint256 indexed assetId, address indexed datatoken, address indexed paymentToken, uint96 price, address owner
    );

    /// @notice A listing was closed.
    event ListingClosed(uint256 indexed assetId);

    /// @notice A dispenser was opened or its limit changed.
    /// @param maxPerWallet Whole tokens one wallet may receive in total.
    event DispenserSet(uint256 indexed assetId, address indexed datatoken, uint64 maxPerWallet);

    /// @notice A dispenser was closed. Amounts already dispensed stay counted if it is opened again in the same owner
    ///         epoch (counts start afresh after any transfer of the NFT, even back to a former owner).
    event DispenserClosed(uint256 indexed assetId);

    /// @notice Datatokens were bought. For `buyAndOrder`, `count` is 1, the token went straight into an order for
    ///         `consumer` (the datatoken emits `OrderStarted` just before this event), and `buyer` never held it;
    ///         for `buy`, `consumer` is the zero address and the buyer received `count` whole tokens.
    /// @param seller The asset owner, who received `base` and whose datatokens were sold.
    /// @param base `price * count`, paid to the seller.
    /// @param protocolFee Paid to the treasury.
    /// @param marketFee Paid to `marketFeeRecipient`.
    event Purchased(
        uint256 indexed assetId,
        address indexed buyer,
        address indexed seller,
        address paymentToken,
        uint256 count,
        uint256 base,
        uint256 protocolFee,
        uint256 marketFee,
        address marketFeeRecipient,
        address consumer
    );

    /// @notice Free datatokens were dispensed from the owner's inventory to `recipient`.
    event Dispensed(uint256 indexed assetId, address indexed recipient, address indexed owner, uint256 count);

    /// @notice The protocol fee or treasury changed (also emitted at deployment).
    event ProtocolFeeSet(address indexed treasury, uint16 bps);

    // ----------------------------------------------------------------------------------------------------------------
    // Owner of the asset
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice Opens or changes the fixed-rate listing of an asset. Only the asset's current owner, or the registry
    ///         while publishing with a listing. The asset must be active and have a datatoken. The owner must approve
    ///         this contract on the datatoken for sales to go through (publishing with a listing does it).
    /// @param paymentToken Any ERC-20 with `decimals()`, other than the asset's datatoken.
    /// @param price Price of one whole datatoken in the smallest unit of `paymentToken`; above zero.
    function setListing(uint256 assetId, address paymentToken, uint96 price) external;

    /// @notice Closes the listing. Only the asset's current owner.
    function closeListing(uint256 assetId) external;

    /// @notice Opens a dispenser of free datatokens (from the owner's inventory, like listings) or changes its limit.
    ///         Only the asset's current owner; the asset must be active and have a datatoken.
    /// @param maxPerWallet Whole tokens one wallet may receive in total; above zero.
    function setDispenser(uint256 assetId, uint64 maxPerWallet) external;

    /// @notice Closes the dispenser. Only the asset's current owner.
    function closeDispenser(uint256 assetId) external;

    // ----------------------------------------------------------------------------------------------------------------
    // Buyers
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice Buys `count` whole datatokens at the listed price; they are transferred to the caller.
    /// @param paymentToken The payment token the buyer expects (guards against a listing changed since it was read).
    /// @param maxPayment Upper bound on `base + protocolFee + marketFee`.
    /// @param marketFeeRecipient Receives the consume-market fee (may be zero when `marketFeeBps` is 0).
    /// @param marketFeeBps Consume-market fee in basis points of `base`, at most `MARKET_FEE_CAP_BPS`.
    /// @return total What the buyer paid.
    function buy(
        uint256 assetId,
        uint64 count,
        address paymentToken,
        uint256 maxPayment,
        address marketFeeRecipient,
        uint16 marketFeeBps
    ) external returns (uint256 total);

    /// @notice Buys one datatoken and spends it at once in an order for `consumer`, in one transaction and, with a
    ///         permit of the payment token, one signature. The token is burned from the seller's inventory on the
    ///         buyer's behalf (never transferred to the buyer). If the permit fails but the allowance is already
    ///         enough (someone submitted the same permit first), the purchase goes on; otherwise the permit's error
    ///         is raised.
    /// @return validUntil Unix time the access ends (`type(uint64).max` for unlimited).
    function buyAndOrder(
        uint256 assetId,
        address consumer,
        address paymentToken,
        uint256 maxPayment,
        address marketFeeRecipient,
        uint16 marketFeeBps,
        Permit calldata permit
    ) external returns (uint64 validUntil);

    /// @notice Transfers `count` free datatokens from the owner's inventory to the caller, up to the dispenser's
    ///         per-wallet limit (a limit per address: it rations, it cannot stop one person using many addresses).
    function dispense(uint256 assetId, uint64 count) external;

    // ----------------------------------------------------------------------------------------------------------------
    // Protocol administration
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice Sets the protocol fee and its treasury. Only the contract owner (Ownable2Step).
    /// @param bps At most `PROTOCOL_FEE_CAP_BPS`; a non-zero fee needs a non-zero treasury.
    function setProtocolFee(address treasury, uint16 bps) external;

    // ----------------------------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice Hard cap of the protocol fee: 100 basis points (1%).
    function PROTOCOL_FEE_CAP_BPS() external view returns (uint16);

    /// @notice Hard cap of the consume-market fee: 500 basis points (5%).
    function MARKET_FEE_CAP_BPS() external view returns (uint16);

    /// @notice The AssetRegistry whose assets are traded here.
    function registry() external view returns (address);

    /// @notice The treasury and the protocol fee in basis points.
    function protocolFee() external view returns (address treasury, uint16 bps);

    /// @notice The listing of an asset (`price` zero when not listed, or when the listing lapsed with a transfer).
    function listingOf(uint256 assetId) external view returns (Listing memory);

    /// @notice The dispenser's per-wallet limit in whole tokens (zero when closed or lapsed with a transfer).
    function dispenserOf(uint256 assetId) external view returns (uint64 maxPerWallet);

    /// @notice Whole tokens a wallet has received from an asset's dispenser in the current owner epoch. Reverts
    ///         `AssetNotFound` for an unknown asset.
    function dispensedTo(uint256 assetId, address wallet) external view returns (uint256);

    /// @notice Whether a payment token has been registered (`PaymentTokenRegistered` emitted).
    function isPaymentTokenRegistered(address token) external view returns (bool);

    /// @notice What buying `count` tokens costs now with a consume-market fee of `marketFeeBps`. Reverts `NotListed`
    ///         or `MarketFeeTooHigh` like `buy` would.
    function quote(uint256 assetId, uint64 count, uint16 marketFeeBps)
        external
        view
        returns (uint256 base, uint256 protocolFee_, uint256 marketFee, uint256 total);
}
