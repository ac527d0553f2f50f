// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Lifecycle of a training job. New values are appended, never reordered (the indexer stores the ordinal).
enum JobStatus {
    /// No job with this id.
    None,
    /// Created; round 0 starts at `startTime`.
    Scheduled,
    /// Round 0 has started and not every round is final yet.
    Running,
    /// Every round is final (successful or failed). Stakes are free, the result can be published.
    Ended,
    /// The sponsor cancelled before round 0 started; the pool went back to the sponsor.
    Cancelled
}

/// @notice Where the current round of a job stands, by the clock. A round moves Commit -> Reveal -> Attest ->
///         Finalize (waiting for anyone to call `finalize`); `finalize` starts the next round at once.
enum Phase {
    /// Before the job's start time.
    Scheduled,
    /// Trainers train and `commit`.
    Commit,
    /// Trainers `reveal` what they committed to.
    Reveal,
    /// Trainers who revealed `attest` the aggregate they computed.
    Attest,
    /// The attest window is over (or everyone who revealed has attested): `finalize` may be called.
    Finalize,
    /// Every round is final.
    Ended,
    /// The job was cancelled.
    Cancelled
}

/// @notice Standing of a trainer in a job.
enum TrainerStatus {
    /// Never joined.
    None,
    /// Joined and may commit.
    Active,
    /// Left: may no longer commit; the stake is withdrawable after the cooldown.
    Left,
    /// Committed without revealing and was slashed; the stake is gone for good.
    Slashed,
    /// The stake was withdrawn.
    Withdrawn
}

/// @notice Outcome of a round.
enum RoundStatus {
    /// Not finalized yet (the current round, or a round after it).
    Pending,
    /// A tuple reached the quorum; its aggregate is the new global model and its reward is claimable.
    Succeeded,
    /// No tuple reached the quorum (or nobody revealed); the model stayed and the reward rolled over.
    Failed
}

/// @notice Parameters of a new job, given to `createJob` and returned by `getJob`.
/// @param datasetId AssetRegistry id of the dataset asset (kind Dataset) the job trains on.
/// @param baseModelId AssetRegistry id of the model asset (kind Model) training starts from.
/// @param baseModelCid Binary CIDv1 of the base model manifest: the global model until a round succeeds.
/// @param specCid Binary CIDv1 of the job spec (architecture, hyper-parameters, shard assignment rule).
/// @param rewardToken ERC-20 the rewards are paid in (any decimals).
/// @param rewardPool Amount pulled from the sponsor; must equal `rewardPerRound * numRounds` (a guard against unit
///        mistakes: the sponsor states the exact amount it approves).
/// @param rewardPerRound Reward of each round, split among included attesters of the winning tuple by samples.
/// @param stakeToken ERC-20 trainers stake (any decimals; may be the reward token).
/// @param minStake Smallest stake `join` accepts.
/// @param numRounds Number of rounds; failed rounds count too.
/// @param commitWindow Seconds from a round's start during which trainers train and commit.
/// @param revealWindow Seconds after the commit window during which trainers reveal.
/// @param attestWindow Seconds after the reveal window during which trainers who revealed attest.
/// @param quorumBps Share of the round's revealed stake, in basis points, a tuple needs to win; above 5,000 so that at
///        most one tuple can reach it.
/// @param maxTrainers Largest number of trainers that may ever join (indices are never reused), at most 256.
/// @param maxSamples Most samples a trainer may claim to have trained on in one round (its shard assignment).
/// @param startTime When round 0 starts (unix seconds, not in the past).
struct JobParams {
    uint256 datasetId;
    uint256 baseModelId;
    bytes baseModelCid;
    bytes specCid;
    address rewardToken;
    uint256 rewardPool;
    uint256 rewardPerRound;
    address stakeToken;
    uint256 minStake;
    uint32 numRounds;
    uint32 commitWindow;
    uint32 revealWindow;
    uint32 attestWindow;
    uint16 quorumBps;
    uint16 maxTrainers;
    uint32 maxSamples;
    uint64 startTime;
}

/// @notice What changes over a job's life, returned by `getJob`.
/// @param sponsor Creator of the job: receives refunds and the published model.
/// @param status Lifecycle status (derived from the clock and the round counter).
/// @param trainerCount Trainers that ever joined (the next trainer index).
/// @param currentRound The round in progress; equals `numRounds` once the job has ended.
/// @param carry Reward waiting to be added to the next round that finalizes: rolled-over rewards of failed rounds and
///        slashed stakes (when the stake token is the reward token). After the end it is refundable to the sponsor.
/// @param unpaidPool Reward tokens not yet assigned to a round: `rewardPerRound * (numRounds - currentRound) + carry`
///        (zero once cancelled or refunded).
/// @param forfeitedStake Slashed stake (minus the caller's share) held for the sponsor when the stake token differs
///        from the reward token.
/// @param trained Whether some round has succeeded (otherwise the base model is still the global model).
/// @param lastSuccessfulRound The round whose aggregate is the current global model (meaningful when `trained`).
/// @param resultAssetId Model asset minted by `publishResult` (0 before).
struct JobState {
    address sponsor;
    JobStatus status;
    uint256 trainerCount;
    uint256 currentRound;
    uint256 carry;
    uint256 unpaidPool;
    uint256 forfeitedStake;
    bool trained;
    uint256 lastSuccessfulRound;
    uint256 resultAssetId;
}

/// @notice The current round of a job as a trainer process needs it, returned by `getRound`.
/// @param round Number of the current round (`numRounds` once ended).
/// @param phase Phase by the clock.
/// @param start Start of the round (unix seconds); round 0 starts at the job's start time, round r+1 when round r is
///        finalized.
/// @param commitEnd End (exclusive) of the commit window: commits are accepted in [start, commitEnd).
/// @param revealEnd End (exclusive) of the reveal window: reveals in [commitEnd, revealEnd).
/// @param attestEnd End (exclusive) of the attest window: attestations in [revealEnd, attestEnd); `finalize` from
///        attestEnd on, or from revealEnd on once every trainer who revealed has attested (at once if nobody revealed).
/// @param seed Seed of this round: shard assignment is derived from it and the trainer index off-chain.
/// @param revealedCount Trainers who revealed in this round.
/// @param attestedCount Trainers who attested in this round.
/// @param revealedStake Total stake of the trainers who revealed.
/// @param quorumStake Stake a tuple needs to win: `ceil(revealedStake * quorumBps / 10000)`.
/// @param winningTupleId Id of the tuple that reached the quorum in this round, 0 if none yet.
/// @param finalizable Whether `finalize` would succeed now.
struct RoundState {
    uint256 round;
    Phase phase;
    uint256 start;
    uint256 commitEnd;
    uint256 revealEnd;
    uint256 attestEnd;
    bytes32 seed;
    uint256 revealedCount;
    uint256 attestedCount;
    uint256 revealedStake;
    uint256 quorumStake;
    uint256 winningTupleId;
    bool finalizable;
}

/// @notice A trainer's standing in a job, returned by `getTrainer`.
/// @param status Standing.
/// @param index Trainer index (bit position in inclusion masks); meaningful when status is not None.
/// @param stake Stake held (0 once slashed or withdrawn).
/// @param hasPendingCommit Whether the trainer committed in `pendingRound` and has not revealed yet.
/// @param pendingRound Round of the unrevealed commitment (meaningful when `hasPendingCommit`).
/// @param leftAt When the trainer left (0 if it has not).
/// @param withdrawableAt For a trainer that left: end of its cooldown (`leftAt` + one round length), from which
///        `withdraw` succeeds even while the job runs. 0 otherwise (an active trainer withdraws at the job's end).
/// @param canWithdraw Whether `withdraw` would succeed now.
struct TrainerState {
    TrainerStatus status;
    uint256 index;
    uint256 stake;
    bool hasPendingCommit;
    uint256 pendingRound;
    uint256 leftAt;
    uint256 withdrawableAt;
    bool canWithdraw;
}

/// @notice What a trainer did in one round, returned by `getTrainerRound`.
/// @param revealed Whether the trainer revealed in the round.
/// @param samples Samples it revealed (0 if it did not reveal).
/// @param attestedTupleId Id of the tuple it attested (0 if it did not attest).
/// @param included Whether the mask of the tuple it attested includes its own index.
/// @param claimed Whether it claimed the round's reward.
struct TrainerRound {
    bool revealed;
    uint256 samples;
    uint256 attestedTupleId;
    bool included;
    bool claimed;
}

/// @notice The outcome of a round, returned by `getRoundResult`.
/// @param status Pending, Succeeded or Failed.
/// @param aggregateCid Winning aggregate CID (the global model after this round); empty unless Succeeded.
/// @param includedMask Winning inclusion mask: bit i set when trainer index i's update is in the aggregate.
/// @param includedSamples Winning tuple's total of included samples (the divisor of every reward share).
/// @param winningTupleId Id of the winning tuple within the round.
/// @param reward Reward of the round (its share of the pool plus the carry it absorbed); 0 unless Succeeded.
/// @param claimedSamples Samples already paid out of `includedSamples`.
struct RoundResult {
    RoundStatus status;
    bytes aggregateCid;
    uint256 includedMask;
    uint256 includedSamples;
    uint256 winningTupleId;
    uint256 reward;
    uint256 claimedSamples;
}
