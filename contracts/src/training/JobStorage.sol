// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Funds, LiveRound, Schedule, TrainerSlot} from "../types/TrainingSlots.sol";

// The storage of a TrainingJobs job, shared by the contract and the JobSetup library it delegates job creation to.

/// @dev Largest number of rounds of a job (rounds plus one are stored in 24 bits).
uint256 constant MAX_ROUNDS = type(uint24).max;
/// @dev Largest `maxTrainers` (the width of an inclusion mask).
uint256 constant MAX_TRAINERS = 256;
/// @dev Largest stake, so that 256 stakes sum within 96 bits.
uint256 constant MAX_STAKE = type(uint88).max;
/// @dev Largest reward pool of a job.
uint256 constant MAX_REWARD_POOL = type(uint96).max;
/// @dev Longest window (and claim period).
uint256 constant MAX_WINDOW = 30 days;
/// @dev Latest start time (the schedule stores times in 40 bits).
uint256 constant MAX_START_TIME = type(uint40).max;
uint256 constant BPS = 10_000;
/// @dev `minStake * auditsPerRound >= AUDIT_STAKE_MARGIN * rewardPerRound` (ITrainingJobs, Audits).
uint256 constant AUDIT_STAKE_MARGIN = 2;
/// @dev Where forfeited stake goes when it can no longer pay anyone (ITrainingJobs.BURN_ADDRESS).
address constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;
uint256 constant STATUS_CREATED = 1;
uint256 constant STATUS_CANCELLED = 2;
/// @dev Written into fresh slots that later writes update, so that the first update writes nonzero -> nonzero.
bytes32 constant EMPTY_SLOT_MARKER = bytes32(uint256(1));

/// @dev One slot, read by `finalize` and `claim`.
struct Config {
    address token;
    uint96 rewardPerRound;
}

/// @dev One slot, read by `join` and by penalties (to recompute a weight).
struct Membership {
    uint88 minStake;
    uint16 weightCap;
    uint16 maxTrainers;
    uint32 claimPeriod;
    uint40 startTime;
    uint8 auditsPerRound;
}

struct Job {
    Schedule schedule;
    LiveRound live;
    Funds funds;
    bytes32 modelCidTail;
    Config config;
    Membership membership;
    /// @dev Bit i set while trainer index i is held.
    uint256 heldIndices;
    address sponsor;
    uint256 datasetId;
    uint256 baseModelId;
    uint256 resultAssetId;
    bytes baseModelCid;
    bytes specCid;
    /// @dev The global model's CID when it does not pack (longer than 37 bytes).
    bytes longModelCid;
}

struct Trainer {
    TrainerSlot slot;
    bytes32 commitment;
}

/// @dev The seed of `round` (see ITrainingJobs, Determinism); `trainingJobs` is the TrainingJobs contract (also
///      `address(this)` in the library it delegates to).
function seedOf(address trainingJobs, uint256 jobId, uint256 round, bytes memory modelCid) view returns (bytes32) {
    return keccak256(abi.encode(block.chainid, trainingJobs, jobId, round, modelCid));
}
