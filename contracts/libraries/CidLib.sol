// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A CID given as empty bytes.
error EmptyCid();

/// @notice A CID that is not a well-formed binary CIDv1 (`0x01 <codec varint> <multihash code varint>
///         <digest length varint> <digest>`).
/// @param cid The rejected bytes.
/// @param offset The byte offset where parsing failed.
error MalformedCid(bytes cid, uint256 offset);

/// @title CidLib
/// @notice Validation of binary CIDv1 values (multiformats). Only the structure is checked: version 1, three
///         unsigned varints (codec, multihash function, digest length), and a digest of exactly that length that ends
///         the input. Codec and hash function are not restricted, so any CIDv1 an IPFS implementation emits is accepted.
library CidLib {
    /// @dev Largest digest we accept (sha2-512 and blake2b-512 are 64 bytes).
    uint256 internal constant MAX_DIGEST_LENGTH = 64;

    /// @notice Reverts with `EmptyCid` or `MalformedCid` unless `cid` is a well-formed binary CIDv1.
    function validate(bytes calldata cid) internal pure {
        uint256 length = cid.length;
        if (length == 0) revert EmptyCid();
        if (uint8(cid[0]) != 0x01) revert MalformedCid(cid, 0);
        uint256 offset = 1;
        // codec, multihash function code
        (, offset) = _readVarint(cid, offset);
        (, offset) = _readVarint(cid, offset);
        uint256 digestLength;
        (digestLength, offset) = _readVarint(cid, offset);
        if (digestLength == 0 || digestLength > MAX_DIGEST_LENGTH) revert MalformedCid(cid, offset);
        if (length - offset != digestLength) revert MalformedCid(cid, length < offset + digestLength ? length : offset + digestLength);
    }

    /// @dev Reads an unsigned LEB128 varint of at most 9 bytes (the multiformats limit) starting at `offset`.
    function _readVarint(bytes calldata data, uint256 offset) private pure returns (uint256 value, uint256 next) {
        uint256 length = data.length;
        for (uint256 i; i < 9; ++i) {
            if (offset + i >= length) revert MalformedCid(data, offset + i);
            uint8 b = uint8(data[offset + i]);
            value |= uint256(b & 0x7f) << (7 * i);
            if (b & 0x80 == 0) {
                // A multi-byte varint must not end in a zero byte (minimal encoding).
                if (b == 0 && i > 0) revert MalformedCid(data, offset + i);
                return (value, offset + i + 1);
            }
        }
        revert MalformedCid(data, offset + 9);
    }
}
