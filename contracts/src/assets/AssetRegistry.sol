// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IMarketplace} from "../interfaces/IMarketplace.sol";
import {AssetKind, AssetState} from "../types/Asset.sol";
import {CidLib} from "../libraries/CidLib.sol";
import {Datatoken} from "./Datatoken.sol";

/// @title AssetRegistry
/// @notice The ERC-721 registry of every Mycelium asset. See IAssetRegistry for the rules.
/// @dev Storage per asset is two slots besides OpenZeppelin's owner and balance: a record slot packing the datatoken
///      address, kind, state, version and the first bytes of the manifest CID, and a slot with the CID's last 32 bytes.
///      CIDs longer than `CidLib.MAX_PACKED_LENGTH` (37 bytes: codec and hash-function varints beyond 3 bytes, or digests
///      other than 32 bytes) are stored whole in a separate mapping instead. Lineage lives only in `AssetPublished`.
contract AssetRegistry is ERC721, IAssetRegistry {
    using CidLib for bytes;

    /// @dev One storage slot: 20 + 1 + 1 + 4 + 1 + 5 = 32 bytes.
    struct Record {
        address datatoken;
        AssetKind kind;
        AssetState state;
        uint32 version;
        // Length of the manifest CID when packed (1..37), 0 when it is stored whole in `_longCids`.
        uint8 cidLength;
        bytes5 cidHead;
    }

    /// @inheritdoc IAssetRegistry
    uint256 public constant MAX_PARENTS = 16;

    /// @inheritdoc IAssetRegistry
    address public immutable datatokenImplementation;

    uint256 private _assetCount;
    mapping(uint256 assetId => Record) private _records;
    mapping(uint256 assetId => bytes32) private _cidTails;
    mapping(uint256 assetId => bytes) private _longCids;
    mapping(uint256 assetId => uint256) private _ownerEpochs;

    constructor() ERC721("Mycelium Asset", "MYCA") {
        // The implementation records this registry as an immutable, so clones need no initialization storage.
        datatokenImplementation = address(new Datatoken());
    }

    // ----------------------------------------------------------------------------------------------------------------
    // External: publishing
    // ----------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IAssetRegistry
    function publish(address owner, AssetKind kind, bytes calldata manifestCid, uint256[] calldata parents)
        external
        returns (uint256 assetId)
    {
        return _publish(owner, kind, manifestCid, parents);
    }

    /// @inheritdoc IAssetRegistry
    function publishWithDatatoken(
        AssetKind kind,
        bytes calldata manifestCid,
        uint256[] calldata parents,
        DatatokenParams calldata datatokenParams
    ) external returns (uint256 assetId, address datatoken) {
        assetId = _publish(msg.sender, kind, manifestCid, parents);
        datatoken = _createDatatoken(assetId, msg.sender, datatokenParams, address(0));
    }

    /// @inheritdoc IAssetRegistry
    function publishWithDatatokenAndListing(
        AssetKind kind,
        bytes calldata manifestCid,
        uint256[] calldata parents,
        DatatokenParams calldata datatokenParams,
        ListingParams calldata listing
    ) external returns (uint256 assetId, address datatoken) {
        if (listing.marketplace.code.length == 0) revert InvalidMarketplace(listing.marketplace);
        assetId = _publish(msg.sender, kind, manifestCid, parents);
        datatoken = _createDatatoken(assetId, msg.sender, datatokenParams, listing.marketplace);
        // The marketplace accepts this call because it comes from its registry, which only makes it for an asset the
        // caller has just published to itself.
        IMarketplace(listing.marketplace).setListing(assetId, listing.paymentToken, listing.price);
    }

    /// @inheritdoc IAssetRegistry
    function createDatatoken(uint256 assetId, DatatokenParams calldata datatokenParams)
        external
        returns (address datatoken)
    {
        Record storage record = _requireOwner(assetId);
        if (record.state == AssetState.Revoked) revert AssetIsRevoked(assetId);
        if (record.datatoken != address(0)) revert DatatokenExists(assetId, record.datatoken);
        return _createDatatoken(assetId, msg.sender, datatokenParams, address(0));
    }

    // ----------------------------------------------------------------------------------------------------------------
    // External: owner actions
    // ----------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IAssetRegistry
    function updateManifest(uint256 assetId, bytes calldata manifestCid) external returns (uint32 version) {
        Record storage record = _requireOwner(assetId);
        if (record.state == AssetState.Revoked) revert AssetIsRevoked(assetId);
        manifestCid.validate();
        // A uint32 version cannot overflow in practice (4 billion updates of one asset); checked math would revert.
        version = record.version + 1;
        (uint8 cidLength, bytes5 cidHead) = _storeCidRest(assetId, manifestCid);
        record.version = version;
        record.cidLength = cidLength;
        record.cidHead = cidHead;
        emit ManifestUpdated(assetId, version, manifestCid);
        emit MetadataUpdate(assetId);
    }

    /// @inheritdoc IAssetRegistry
    function setState(uint256 assetId, AssetState newState) external {
        Record storage record = _requireOwner(assetId);
        AssetState previous = record.state;
        if (previous == AssetState.Revoked) revert AssetIsRevoked(assetId);
        if (previous == newState) revert StateUnchanged(assetId, newState);
        record.state = newState;
        emit AssetStateChanged(assetId, previous, newState);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // External: views
    // ----------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IAssetRegistry
    function assetCount() external view returns (uint256) {
        return _assetCount;
    }

    /// @inheritdoc IAssetRegistry
    function kindOf(uint256 assetId) external view returns (AssetKind) {
        return _existing(assetId).kind;
    }

    /// @inheritdoc IAssetRegistry
    function stateOf(uint256 assetId) external view returns (AssetState) {
        return _existing(assetId).state;
    }

    /// @inheritdoc IAssetRegistry
    function datatokenOf(uint256 assetId) external view returns (address) {
        return _existing(assetId).datatoken;
    }

    /// @inheritdoc IAssetRegistry
    function manifestOf(uint256 assetId) external view returns (bytes memory) {
        return _manifest(_existing(assetId), assetId);
    }

    /// @inheritdoc IAssetRegistry
    function assetOf(uint256 assetId) external view returns (Asset memory) {
        Record storage record = _existing(assetId);
        return Asset({
            owner: _ownerOf(assetId),
            kind: record.kind,
            state: record.state,
            version: record.version,
            datatoken: record.datatoken,
            manifestCid: _manifest(record, assetId)
        });
    }

    /// @inheritdoc IAssetRegistry
    function ownerEpochOf(uint256 assetId) external view returns (uint256) {
        if (_ownerOf(assetId) == address(0)) revert AssetNotFound(assetId);
        return _ownerEpochs[assetId];
    }

    /// @inheritdoc IAssetRegistry
    function saleInfoOf(uint256 assetId)
        external
        view
        returns (address owner, AssetState state, address datatoken, uint256 ownerEpoch)
    {
        owner = _ownerOf(assetId);
        if (owner == address(0)) revert AssetNotFound(assetId);
        Record storage record = _records[assetId];
        return (owner, record.state, record.datatoken, _ownerEpochs[assetId]);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Public
    // ----------------------------------------------------------------------------------------------------------------

    /// @notice `ipfs://<cid>` of the current manifest, the CID in multibase base32 (`bafy...`, `bagu...`).
    function tokenURI(uint256 assetId) public view override returns (string memory) {
        return string.concat("ipfs://", CidLib.toBase32String(_manifest(_existing(assetId), assetId)));
    }

    /// @notice ERC-165: ERC-721, ERC-721 metadata and ERC-4906 (`0x49064906`).
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, IERC165) returns (bool) {
        return interfaceId == bytes4(0x49064906) || super.supportsInterface(interfaceId);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Internal
    // ----------------------------------------------------------------------------------------------------------------

    /// @dev Every transfer (not the mint) starts a new owner epoch, so that listings and dispensers a previous owner
    ///      opened lapse (see `ownerEpochOf`).
    function _update(address to, uint256 assetId, address auth) internal override returns (address from) {
        from = super._update(to, assetId, auth);
        if (from != address(0)) {
            // A uint256 counter of transfers cannot overflow.
            unchecked {
                ++_ownerEpochs[assetId];
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Private
    // ----------------------------------------------------------------------------------------------------------------

    function _publish(address owner, AssetKind kind, bytes calldata manifestCid, uint256[] calldata parents)
        private
        returns (uint256 assetId)
    {
        manifestCid.validate();
        uint256 parentCount = parents.length;
        if (parentCount > MAX_PARENTS) revert TooManyParents(parentCount, MAX_PARENTS);
        for (uint256 i; i < parentCount; ++i) {
            uint256 parent = parents[i];
            if (_ownerOf(parent) == address(0)) revert ParentNotFound(parent);
            // At most MAX_PARENTS^2 / 2 = 120 comparisons.
            for (uint256 j; j < i; ++j) {
                if (parents[j] == parent) revert DuplicateParent(parent);
            }
        }
        // Ids start at 1; a uint256 counter cannot overflow.
        unchecked {
            assetId = ++_assetCount;
        }
        (uint8 cidLength, bytes5 cidHead) = _storeCidRest(assetId, manifestCid);
        // One SSTORE for the whole record.
        _records[assetId] = Record({
            datatoken: address(0),
            kind: kind,
            state: AssetState.Active,
            version: 1,
            cidLength: cidLength,
            cidHead: cidHead
        });
        // `_mint`, not `_safeMint`: publishing for a contract (a DAO, a job contract) must not depend on it implementing
        // onERC721Received, and no callback runs in the middle of a publication. Reverts for the zero address.
        _mint(owner, assetId);
        emit AssetPublished(assetId, owner, kind, msg.sender, manifestCid, parents);
    }

    function _createDatatoken(uint256 assetId, address owner, DatatokenParams calldata params, address operator)
        private
        returns (address datatoken)
    {
        // assetId fits in 64 bits: it counts publications.
        bytes memory args = abi.encodePacked(uint64(assetId), params.accessPeriod);
        datatoken = Clones.cloneDeterministicWithImmutableArgs(datatokenImplementation, args, bytes32(assetId));
        _records[assetId].datatoken = datatoken;
        emit DatatokenCreated(assetId, datatoken, owner, params.accessPeriod, params.initialSupply);
        if (params.initialSupply != 0 || operator != address(0)) {
            Datatoken(datatoken).initialize(owner, params.initialSupply, operator);
        }
    }

    /// @dev Stores what does not fit in the record (the CID's tail, or the whole CID when it is too long to pack) and
    ///      returns the fields that go in the record.
    function _storeCidRest(uint256 assetId, bytes calldata cid) private returns (uint8 length, bytes5 head) {
        bytes32 tail;
        (length, head, tail) = cid.pack();
        if (length == 0) {
            _longCids[assetId] = cid;
        } else {
            _cidTails[assetId] = tail;
        }
    }

    function _manifest(Record storage record, uint256 assetId) private view returns (bytes memory) {
        uint8 length = record.cidLength;
        if (length == 0) return _longCids[assetId];
        return CidLib.unpack(length, record.cidHead, _cidTails[assetId]);
    }

    function _existing(uint256 assetId) private view returns (Record storage) {
        if (_ownerOf(assetId) == address(0)) revert AssetNotFound(assetId);
        return _records[assetId];
    }

    function _requireOwner(uint256 assetId) private view returns (Record storage) {
        address owner = _ownerOf(assetId);
        if (owner == address(0)) revert AssetNotFound(assetId);
        if (owner != msg.sender) revert NotAssetOwner(assetId, msg.sender, owner);
        return _records[assetId];
    }
}
