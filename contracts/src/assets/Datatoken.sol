// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IDatatoken} from "../interfaces/IDatatoken.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {AssetState} from "../types/Asset.sol";

/// @title Datatoken
/// @notice The implementation behind every datatoken clone. See IDatatoken for the rules.
/// @dev Clones are EIP-1167 proxies with immutable arguments (OpenZeppelin `Clones.cloneDeterministicWithImmutableArgs`):
///      the 16 bytes after the proxy code are `uint64 assetId ++ uint64 accessPeriod`. A clone therefore needs no
///      initialization storage at all: the registry is an immutable of this implementation (it deploys it), the asset id
///      and access period come from the clone's own code, `name()` is a constant and `symbol()` is derived from the
///      asset id. The EIP-712 domain name is the same constant; OpenZeppelin's EIP712 rebuilds the domain separator for
///      `address(this)` whenever it runs in a clone.
contract Datatoken is ERC20Permit, IDatatoken {
    /// @dev ERC-20 name and EIP-712 domain name of every datatoken.
    string private constant NAME = "Mycelium Datatoken";

    /// @inheritdoc IDatatoken
    uint256 public constant ORDER_AMOUNT = 1e18;

    /// @dev The AssetRegistry that deployed this implementation and creates its clones.
    address private immutable _registry;

    constructor() ERC20(NAME, "DT") ERC20Permit(NAME) {
        _registry = msg.sender;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // External
    // ----------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IDatatoken
    function initialize(address owner, uint256 initialSupply, address operator) external {
        if (msg.sender != _registry) revert NotRegistry(msg.sender);
        if (initialSupply != 0) _mint(owner, initialSupply);
        if (operator != address(0)) _approve(owner, operator, type(uint256).max);
    }

    /// @inheritdoc IDatatoken
    function mint(address to, uint256 amount) external {
        uint256 id = _assetId();
        address owner = IERC721(_registry).ownerOf(id);
        if (msg.sender != owner) revert NotAssetOwner(id, msg.sender, owner);
        _mint(to, amount);
    }

    /// @inheritdoc IDatatoken
    function order(address consumer) external returns (uint64 validUntil) {
        return _order(msg.sender, consumer, msg.sender);
    }

    /// @inheritdoc IDatatoken
    function orderFrom(address from, address consumer) external returns (uint64 validUntil) {
        _spendAllowance(from, msg.sender, ORDER_AMOUNT);
        return _order(from, consumer, msg.sender);
    }

    /// @inheritdoc IDatatoken
    function registry() external view returns (address) {
        return _registry;
    }

    /// @inheritdoc IDatatoken
    function assetId() external view returns (uint256) {
        return _assetId();
    }

    /// @inheritdoc IDatatoken
    function accessPeriod() external view returns (uint64) {
        (, uint64 period) = _cloneArgs();
        return period;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Public
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice "Mycelium Datatoken" for every datatoken (the same string as the EIP-712 domain name, which permit
    ///         signers usually take from `name()`).
    function name() public pure override(ERC20, IERC20Metadata) returns (string memory) {
        return NAME;
    }

    /// @notice `DT-<assetId>`.
    function symbol() public view override(ERC20, IERC20Metadata) returns (string memory) {
        return string.concat("DT-", Strings.toString(_assetId()));
    }

    /// @inheritdoc ERC20
    function decimals() public pure override(ERC20, IERC20Metadata) returns (uint8) {
        return 18;
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Private
    // ----------------------------------------------------------------------------------------------------------------

    /// @dev Burns one whole token of `from` and records the receipt. Checks the asset state first: the registry is
    ///      our own contract and the call is a read, so no token moves before it.
    function _order(address from, address consumer, address payer) private returns (uint64 validUntil) {
        if (consumer == address(0)) revert InvalidConsumer();
        (uint64 id, uint64 period) = _cloneArgs();
        AssetState state = IAssetRegistry(_registry).stateOf(id);
        if (state != AssetState.Active) revert AssetNotActive(id, state);
        _burn(from, ORDER_AMOUNT);
        if (period == 0) {
            validUntil = type(uint64).max;
        } else {
            // Saturate instead of overflowing: a period close to 2^64 s means "practically forever".
            uint256 end = block.timestamp + period;
            validUntil = end > type(uint64).max ? type(uint64).max : uint64(end);
        }
        emit OrderStarted(id, consumer, payer, from, validUntil);
    }

    function _assetId() private view returns (uint64 id) {
        (id,) = _cloneArgs();
    }

    /// @dev Reads `uint64 assetId ++ uint64 accessPeriod` from the clone's code.
    function _cloneArgs() private view returns (uint64 id, uint64 period) {
        bytes memory args = Clones.fetchCloneArgs(address(this));
        uint256 word;
        assembly ("memory-safe") {
            word := mload(add(args, 32))
        }
        id = uint64(word >> 192);
        period = uint64(word >> 128);
    }
}
