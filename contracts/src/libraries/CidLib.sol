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

    /// @notice Longest CID `pack` stores in one 32-byte tail plus a 5-byte head (a CIDv1 with a 32-byte digest and up
    ///         to 3 bytes of codec and hash-function varints, which covers raw, dag-pb, dag-cbor and dag-json over
    ///         sha2-256).
    uint256 internal constant MAX_PACKED_LENGTH = 37;

    /// @notice Splits a CID into a head and a tail that fit beside other fields in storage: the last 32 bytes (or the
    ///         whole CID, left-aligned, when shorter) go in `tail`, the bytes before them in `head`, left-aligned.
    /// @return length The CID's length, or 0 when it is longer than `MAX_PACKED_LENGTH` and must be stored whole.
    function pack(bytes calldata cid) internal pure returns (uint8 length, bytes5 head, bytes32 tail) {
        uint256 cidLength = cid.length;
        if (cidLength > MAX_PACKED_LENGTH) return (0, bytes5(0), bytes32(0));
        if (cidLength <= 32) return (uint8(cidLength), bytes5(0), bytes32(cid));
        // 32 < cidLength <= 37: the head holds the first cidLength - 32 bytes (at most 5).
        uint256 headLength = cidLength - 32;
        return (uint8(cidLength), bytes5(cid[:headLength]), bytes32(cid[headLength:]));
    }

    /// @notice Inverse of `pack` for a packed CID (`length` between 1 and `MAX_PACKED_LENGTH`).
    function unpack(uint8 length, bytes5 head, bytes32 tail) internal pure returns (bytes memory cid) {
        if (length <= 32) {
            cid = new bytes(length);
            assembly ("memory-safe") {
                mstore(add(cid, 32), tail)
            }
            return cid;
        }
        // The head holds the first length - 32 bytes (at most 5), left-aligned; the tail is the last 32.
        uint256 headLength = uint256(length) - 32;
        cid = new bytes(length);
        assembly ("memory-safe") {
            let data := add(cid, 32)
            mstore(data, head)
            mstore(add(data, headLength), tail)
        }
    }

    /// @notice The multibase base32 (RFC 4648, lowercase, no padding, prefix `b`) text form of a binary CID, the form
    ///         IPFS tools print for CIDv1 (`bafy...`, `bagu...`).
    function toBase32String(bytes memory cid) internal pure returns (string memory) {
        bytes memory alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        uint256 length = cid.length;
        // ceil(length * 8 / 5) symbols, plus the multibase prefix.
        bytes memory out = new bytes(1 + (length * 8 + 4) / 5);
        out[0] = "b";
        uint256 buffer;
        uint256 bits;
        uint256 j = 1;
        for (uint256 i; i < length; ++i) {
            buffer = (buffer << 8) | uint8(cid[i]);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out[j++] = alphabet[(buffer >> bits) & 31];
            }
            // Keep only the bits not yet written, so `buffer` never grows.
            buffer &= (1 << bits) - 1;
        }
        if (bits > 0) out[j] = alphabet[(buffer << (5 - bits)) & 31];
        return string(out);
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
