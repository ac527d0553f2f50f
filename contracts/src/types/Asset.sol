// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice What an asset NFT stands for. New kinds are appended, never reordered (the indexer stores the ordinal).
enum AssetKind {
    Dataset,
    Model
}

/// @notice Lifecycle of an asset. Only `Active` assets accept new orders, listings and purchases.
enum AssetState {
    Active,
    Deprecated,
    Revoked
}
