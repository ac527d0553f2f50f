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
    /// Every round is final (successful or failed). The result can be published; stakes unlock after the claim period.
    Ended,
    /// The sponsor cancelled the job (before round 0 started, or while no trainer had ever revealed).
    Cancelled
}

/// @notice Where the current round of a job stands, by the clock. A round moves Commit -> Reveal -> Attest ->
///         Finalize (waiting for anyone to call `finalize`); `finalize` starts the next round at once.
enum Phase {
    /// Before the job's start time.
    Scheduled,
    /// Bonded trainers train and `commit`.
    Commit,
    /// Trainers `reveal` what they committed to.
    Reveal,
    /// Trainers who revealed on time `attest` the aggregate they computed; a late reveal is still accepted, with a
    /// penalty, and does not count in the round.
    Attest,
    /// The attest window is over (or the outcome can no longer change): `finalize` may be called.
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
    /// Joined and may commit (from its first bonded round on).
    Active,
    /// Left: may no longer commit; the stake unlocks as `withdraw` describes.
    Left,
    /// Committed and never revealed (not even late), or failed a replay audit, and was slashed; the stake is gone, the
    /// index is free again.
    Slashed,
    /// The stake was withdrawn; the index is free again.
    Withdrawn
}

/// @notice Outcome of a round.
enum RoundStatus {
    /// Not finalized yet (the current round, or a round after it).
    Pending,
    /// The leading tuple held the quorum of the attested weight, and enough of the revealed weight attested: its
    /// aggregate is the new global model and its attesters share the round's reward (and any forfeits).
    Succeeded,
    /// No tuple won: the model stayed, the round's reward rolled over into the carry and the forfeits wait for the
    /// next successful round. Nobody is paid for a failed round.
    Failed
}

/// @notice Why a trainer's stake was cut (`TrainerPenalized`).
enum PenaltyReason {
    /// Revealed on time but attested nothing (`SILENT_BPS`): a silent revealer cannot block rounds for free.
    Silent,
    /// Attested another tuple than the round's winner, or than its leader when the leader held more than half of the
    /// attested weight (`LOSING_BPS`): stake is at risk for what it attests.
    LosingTuple,
    /// Revealed during the attest window instead of the reveal window (`LATE_REVEAL_BPS`).
    LateReveal,
    /// Evicted after idling for IDLE_ROUNDS rounds while holding an index (`IDLE_BPS`): squatting costs stake.
    Idle
}

/// @notice Parameters of a new job, given to `createJob` and returned by `getJob`.
/// @param datasetId AssetRegistry id of the dataset asset (kind Dataset, Active) the job trains on.
/// @param baseModelId AssetRegistry id of the model asset (kind Model, Active) training starts from.
/// @param baseModelCid Binary CIDv1 of the base model manifest: must be the registry's current manifest of
///        `baseModelId`, so the job's lineage names what is trained. It is the global model until a round succeeds.
/// @param specCid Binary CIDv1 of the job spec (architecture, hyper-parameters, shard assignment rule).
/// @param token ERC-20 of the rewards and of the stakes (any decimals): forfeited stake becomes reward.
/// @param rewardPool Amount pulled from the sponsor; must equal `rewardPerRound * numRounds`.
/// @param rewardPerRound Reward of each round, split among the included attesters of the winning tuple by samples.
/// @param minStake Smallest stake `join` accepts.
/// @param numRounds Number of rounds; failed rounds count too.
/// @param commitWindow Seconds from a round's start during which bonded trainers train and commit.
/// @param revealWindow Seconds after the commit window during which trainers reveal.
/// @param attestWindow Seconds after the reveal window during which on-time revealers attest (and late reveals are
///        accepted with a penalty).
/// @param claimPeriod Seconds after the job's end during which rewards can be claimed and stakes stay locked; its
///        unpaid rewards can then be swept back to the sponsor.
/// @param quorumBps Share of the attested weight, in basis points, the leading tuple needs to win; above 5,000 so
///        that at most one tuple can reach it.
/// @param participationBps Share of the revealed weight that must attest for a round to succeed, at least 5,000.
/// @param weightCap Most stake counted toward the quorum per trainer, in minimum stakes (1 to 65,535): one account
///        cannot hold a round alone by staking more.
/// @param maxTrainers Most trainers at once, at most 256 (the width of a mask); indices of withdrawn or slashed
///        trainers are reused.
/// @param maxSamples Most samples a trainer may claim to have trained on in one round (its shard assignment).
/// @param startTime When round 0 starts (unix seconds, not in the past, below 2^40).
/// @param auditsPerRound Updates every attester replays per round (1 to 255; more than the reveals audits them all);
///        `minStake * auditsPerRound` must be at least `AUDIT_STAKE_MARGIN * rewardPerRound`.
struct JobParams {
    uint256 datasetId;
    uint256 baseModelId;
    bytes baseModelCid;
    bytes specCid;
    address token;
    uint256 rewardPool;
    uint256 rewardPerRound;
    uint256 minStake;
    uint32 numRounds;
    uint32 commitWindow;
    uint32 revealWindow;
    uint32 attestWindow;
    uint32 claimPeriod;
    uint16 quorumBps;
    uint16 participationBps;
    uint16 weightCap;
    uint16 maxTrainers;
    uint32 maxSamples;
    uint64 startTime;
    uint8 auditsPerRound;
}

/// @notice What changes over a job's life, returned by `getJob`.
/// @param sponsor Creator of the job: receives refunds and the published model.
/// @param status Lifecycle status (derived from the clock and the round counter).
/// @param trainerCount Trainers holding an index now (joined and not withdrawn or slashed).
/// @param currentRound The round in progress; equals `numRounds` once the job has ended.
/// @param carry Reward waiting to be added to the next successful round: rewards of failed rounds and swept unpaid
///        rewards. After the end it is refundable to the sponsor.
/// @param forfeits Forfeited stake waiting for the next successful round, whose winners share it. Never refunded to
///        the sponsor (after the end it is burned).
/// @param unpaidPool Reward tokens not yet assigned to a round: `rewardPerRound * (numRounds - currentRound) + carry`
///        (zero once cancelled or refunded).
/// @param trained Whether some round has succeeded (otherwise the base model is still the global model).
/// @param lastSuccessfulRound The round whose aggregate is the current global model (meaningful when `trained`).
/// @param everRevealed Whether any trainer ever revealed on time (until then the sponsor may cancel).
/// @param endedAt When the last round was finalized (0 before); stakes and unclaimed rewards wait `claimPeriod` more.
/// @param resultAssetId Model asset minted by `publishResult` (0 before).
struct JobState {
    address sponsor;
    JobStatus status;
    uint256 trainerCount;
    uint256 currentRound;
    uint256 carry;
    uint256 forfeits;
    uint256 unpaidPool;
    bool trained;
    uint256 lastSuccessfulRound;
    bool everRevealed;
    uint256 endedAt;
    uint256 resultAssetId;
}

/// @notice The current round of a job as a trainer process needs it, returned by `getRound`.
/// @param round Number of the current round (`numRounds` once ended).
/// @param phase Phase by the clock.
/// @param start Start of the round (unix seconds); round 0 starts at the job's start time, round r+1 when round r is
///        finalized.
/// @param commitEnd End (exclusive) of the commit window: commits are accepted in [start, commitEnd).
/// @param revealEnd End (exclusive) of the reveal window: reveals in [commitEnd, revealEnd).
/// @param attestEnd End (exclusive) of the attest window: attestations (and late reveals) in [revealEnd, attestEnd);
///        `finalize` from attestEnd on, or from revealEnd on once the outcome cannot change.
/// @param seed Seed of this round: shard assignment is derived from it and the trainer index off-chain.
/// @param committedCount Trainers who committed in this round.
/// @param revealedCount Trainers who revealed on time in this round.
/// @param lateRevealCount Trainers who revealed late (during the attest window) in this round.
/// @param attestedCount Trainers who attested in this round.
/// @param revealedWeight Quorum weight of the trainers who revealed on time.
/// @param attestedWeight Quorum weight of the trainers who attested.
/// @param leaderWeight Weight behind the leading tuple (the one with the most weight; the first to get it on ties).
/// @param leaderTupleId Id of the leading tuple, 0 before the first attestation.
/// @param tupleCount Distinct tuples attested in this round.
/// @param finalizable Whether `finalize` would succeed now (given the leading tuple).
struct RoundState {
    uint256 round;
    Phase phase;
    uint256 start;
    uint256 commitEnd;
    uint256 revealEnd;
    uint256 attestEnd;
    bytes32 seed;
    uint256 committedCount;
    uint256 revealedCount;
    uint256 lateRevealCount;
    uint256 attestedCount;
    uint256 revealedWeight;
    uint256 attestedWeight;
    uint256 leaderWeight;
    uint256 leaderTupleId;
    uint256 tupleCount;
    bool finalizable;
}

/// @notice A trainer's standing in a job, returned by `getTrainer`.
/// @param status Standing.
/// @param index Trainer index (bit position in inclusion masks); meaningful while Active or Left.
/// @param stake Stake held (0 once slashed or withdrawn).
/// @param weight Quorum weight its reveals bring: `min(stake, weightCap * minStake)` in units of minStake / 2^16.
/// @param firstRound First round the trainer may commit in: its stake is bonded only for rounds that begin after it
///        joined.
/// @param hasPendingCommit Whether the trainer committed in `pendingRound` and has not revealed yet.
/// @param pendingRound Round of the unrevealed commitment (meaningful when `hasPendingCommit`).
/// @param hasUnsettledReveal Whether its last reveal (in `lastRevealRound`) still awaits settlement: a slash for a
///        failed replay audit, or a penalty for silence or for attesting a losing tuple, is taken at its next commit
///        or withdrawal (or by anyone through `settle`, and a slash through `slash`).
/// @param hasRevealed Whether it ever revealed (on time or late: a late reveal is audited too).
/// @param lastRevealRound Round of its last reveal (meaningful when `hasRevealed`).
/// @param leftAt When the trainer left (0 if it has not).
/// @param canWithdraw Whether `withdraw` would succeed now.
/// @param evictable Whether anyone may `evict` it now (idle for IDLE_ROUNDS rounds: its index goes back to the job).
struct TrainerState {
    TrainerStatus status;
    uint256 index;
    uint256 stake;
    uint256 weight;
    uint256 firstRound;
    bool hasPendingCommit;
    uint256 pendingRound;
    bool hasUnsettledReveal;
    bool hasRevealed;
    uint256 lastRevealRound;
    uint256 leftAt;
    bool canWithdraw;
    bool evictable;
}

/// @notice What a trainer did in one round, returned by `getTrainerRound`.
/// @param revealed Whether the trainer revealed in the round (on time or late).
/// @param late Whether it revealed late (during the attest window): it did not count and could not attest.
/// @param samples Samples it revealed (0 if it did not reveal).
/// @param weight Quorum weight it brought.
/// @param attestedTupleId Id of the tuple it attested (0 if it did not attest).
/// @param included Whether the mask of the tuple it attested includes its own index.
/// @param claimed Whether it claimed the round's reward.
struct TrainerRound {
    bool revealed;
    bool late;
    uint256 samples;
    uint256 weight;
    uint256 attestedTupleId;
    bool included;
    bool claimed;
}

/// @notice The outcome of a round, returned by `getRoundResult`. The aggregate CID and the inclusion mask of the
///         winning tuple are in the round's `RoundFinalized` event (the global model's CID is also `currentModel`).
/// @param status Pending, Succeeded or Failed.
/// @param leaderTupleId Id of the round's leading tuple (0 when nobody attested): the winner when Succeeded.
/// @param includedSamples The winning tuple's total of included samples (the divisor of every share; 0 unless
///        Succeeded).
/// @param reward What the winning tuple's included attesters share: the round's reward, the carry and the forfeits
///        it absorbed (0 unless Succeeded).
/// @param paid What has been paid out of `reward` so far (each claim `reward * samples / includedSamples`).
/// @param swept Whether the unpaid part was swept (claims are over).
/// @param finalizedEarly Whether the round was finalized before its attest window ended (every commitment was revealed
///        and the outcome could no longer change): revealers that had not attested yet lose the round's reward but no
///        stake.
/// @param leaderMajority Whether the leading tuple held more than half of the attested weight: attesters of other
///        tuples were penalized even if the round failed.
/// @param slashMask The slash mask the round applied: trainer indices whose update failed its replay audit (the
///        leader's mask when it won or held more than half of the attested weight, else 0).
struct RoundResult {
    RoundStatus status;
    uint256 leaderTupleId;
    uint256 includedSamples;
    uint256 reward;
    uint256 paid;
    bool swept;
    bool finalizedEarly;
    bool leaderMajority;
    uint256 slashMask;
}
