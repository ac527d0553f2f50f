// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AssetKind, AssetState} from "../types/Asset.sol";
import {
    JobParams,
    JobState,
    PenaltyReason,
    Phase,
    RoundResult,
    RoundState,
    TrainerRound,
    TrainerState,
    TrainerStatus
} from "../types/Training.sol";

/// @title ITrainingJobs
/// @notice Staked, coordinator-free training rounds with rewards. A sponsor funds a job; trainers stake and join; each
///         round they train off-chain, `commit` to their update, `reveal` it, compute the same deterministic aggregate
///         and `attest` it; anyone `finalize`s. The tuple `(aggregateCid, includedMask, includedSamples, slashMask)`
///         with the most attested weight wins when it holds the quorum of the attested weight and enough of the revealed
///         weight attested; its aggregate becomes the next global model and its included attesters `claim` the
///         round's reward pro rata to their samples. No function loops over trainers. contracts/README.md has the
///         threat model: who can do what with which share of the weight, and what each party risks.
///
///         Round timeline. Round 0 starts at the job's start time, round r+1 at the moment round r is finalized. From a
///         round's start S: commits in [S, S+commitWindow), reveals in [S+commitWindow, S+commitWindow+revealWindow),
///         attestations in [that, that+attestWindow). A reveal during the attest window is accepted late: it costs
///         LATE_REVEAL_BPS of the stake, brings no weight and cannot attest. `finalize` from the end of the attest
///         window on, or from the end of the reveal window on once every commitment has been revealed (so no committer
///         loses its late-reveal grace) and the outcome can no longer change (everyone who revealed attested, or the
///         leader holds the quorum and the participation floor of the revealed weight). A
///         round that does not succeed still consumes one of the job's rounds: the model stays and its reward rolls
///         over into the `carry`. Every window (and the claim period) lies in [minWindow, MAX_WINDOW]; `minWindow` is
///         fixed per deployment so that a block can always carry a reveal.
///
///         Weight and bonding. A trainer's weight is its stake capped at `weightCap` minimum stakes. A trainer that
///         joins after a round began plays from the next round on (`firstRound`): stake must be bonded before the
///         round it wants to sway. Its stake stays locked while it runs, and after `leave` until UNBOND_ROUNDS more
///         rounds have been finalized after its last reveal (on time or late: both are audited), or until the job's
///         end plus its claim period.
///
///         Winning. The leading tuple wins when `leaderWeight >= quorumBps` of the attested weight and the attested
///         weight reaches `participationBps` of the revealed weight: a silent revealer cannot block a round. The
///         quorum is above half, so at most one tuple can hold it.
///
///         Penalties (stake at risk for what it does). Taken lazily, at the trainer's next commit, withdrawal or
///         eviction, or by anyone through `settle`: a trainer that revealed on time and did not attest before the
///         attest window ended loses SILENT_BPS; one that attested another tuple than the winner of a successful round
///         (or than the leader of a failed round whose leader held more than half of the attested weight) loses
///         LOSING_BPS. A late reveal costs LATE_REVEAL_BPS at once; an eviction IDLE_BPS; a commitment never revealed
///         (not even late) loses the whole stake through `slash`, and so does a trainer named in the slash mask a
///         round applied (its update failed the replay audit every attester ran: see Audits), through `slash` or at
///         its next settlement. Everything forfeited goes to `forfeits`, which the next successful
///         round adds to its reward: forfeited stake pays honest trainers, never the sponsor or the caller. What is
///         still forfeited when the job ends is burned (sent to BURN_ADDRESS) by `refundRemainder`.
///
///         Money. The sponsor deposits `rewardPerRound * numRounds` at creation, in the job's one token (stakes are in
///         it too). A successful round's reward is `rewardPerRound + carry + forfeits` (at most MAX_ROUND_REWARD; any
///         excess waits for the next round); an included attester of the winning tuple claims
///         `reward * samples / includedSamples`, rounded down, whatever the order of claims; the round never pays more
///         than its reward, so a colluding quorum attesting a too-small `includedSamples` cannot drain more). Once CLAIM_ROUNDS
///         more rounds have been finalized, or the claim period after the job's end is over, anyone may `sweep` a
///         round: what nobody claimed (shares of crashed or excluded trainers, an overstated `includedSamples`,
///         rounding dust) goes back where it came from, pro rata: the share that came from forfeited stake to the
///         forfeits, the rest to the carry. After the end the carry goes back to the sponsor through `refundRemainder`
///         (forfeits are burned). Nothing stays in the contract for good, and no forfeited stake reaches the sponsor.
///
///         Indices. A trainer's index (its bit in inclusion masks, its rank in aggregation) is taken from the lowest
///         free one at join and freed when it withdraws, is slashed or is evicted after IDLE_ROUNDS rounds without a
///         reveal; a trainer joining later may get it, and plays only in rounds after the previous holder's
///         last reveal. At most `maxTrainers` (<= 256) hold an index at once.
///
///         Determinism. The seed of round r, from which trainers derive their shard assignment off-chain (with their
///         index), is `keccak256(abi.encode(chainId, address(this), jobId, r, modelCid))` where `modelCid` is the
///         binary CID of the global model at the start of round r (the aggregate of the last successful round before
///         r, or the base model). It is fixed when round r-1 is finalized, depends on every revealed update through the
///         winning aggregate, cannot be ground by whoever calls `finalize` or by a block proposer (no block data goes
///         in), and anyone can recompute it from the chain. It is emitted (`RoundFinalized.nextSeed`, and the seed of
///         round 0 in `JobCreated`) and readable with `getRound`.
///
///         Audits. Each round every attester replays `auditsPerRound` updates drawn from the on-time reveals with a seed
///         of the revealed salts (`Revealed.salt`), and every late reveal, off-chain (trainer/README.md, "Replay
///         audits"); the trainers whose update does not replay (or is not available when drawn) go into the tuple's
///         `slashMask`, at most `auditsPerRound` plus the late reveals (`InvalidSlashMask` otherwise). The mask
///         applies when its tuple wins, or leads a failed round with more than half of the attested weight (so that
///         a caught cheater cannot escape by failing the round), and costs the named trainers their whole stake. `createJob` requires `minStake * auditsPerRound >= AUDIT_STAKE_MARGIN * rewardPerRound`: a
///         trainer drawn with probability p >= samples / revealed samples loses at least a round's reward, so faking
///         the work loses money in expectation.
interface ITrainingJobs {
    // ---------------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice The deployment's minimum window must be in [1, MAX_WINDOW].
    error InvalidMinWindow(uint256 minWindow, uint256 maxWindow);

    /// @notice No job has this id.
    error JobNotFound(uint256 jobId);
    /// @notice The job was cancelled.
    error JobIsCancelled(uint256 jobId);
    /// @notice Every round of the job is final; the call needs a running job.
    error JobHasEnded(uint256 jobId);
    /// @notice The call needs the job to have ended; `currentRound` of `numRounds` rounds is still in progress.
    error JobNotEnded(uint256 jobId, uint256 currentRound, uint256 numRounds);
    /// @notice Only the sponsor may do this.
    error NotSponsor(address caller, address sponsor);
    /// @notice A trainer revealed an update (in round `round` or before): the job can no longer be cancelled.
    error UpdatesRevealed(uint256 jobId);

    /// @notice `numRounds` must be in [1, MAX_ROUNDS].
    error InvalidRoundCount(uint256 numRounds, uint256 maxRounds);
    /// @notice Every window and the claim period must be in [minWindow, maxWindow] seconds.
    error WindowOutOfRange(uint256 window, uint256 minWindow, uint256 maxWindow);
    /// @notice The quorum must be in (5,000, 10,000] basis points so that at most one tuple can reach it.
    error InvalidQuorum(uint256 quorumBps);
    /// @notice The participation floor must be in [5,000, 10,000] basis points.
    error InvalidParticipation(uint256 participationBps);
    /// @notice The weight cap must be at least one minimum stake.
    error InvalidWeightCap(uint256 weightCap);
    /// @notice `maxTrainers` must be in [1, MAX_TRAINERS].
    error InvalidMaxTrainers(uint256 maxTrainers, uint256 limit);
    /// @notice `maxSamples` must be at least 1.
    error InvalidMaxSamples(uint256 maxSamples);
    /// @notice `minStake` must be in [1, MAX_STAKE].
    error InvalidMinStake(uint256 minStake, uint256 maxStake);
    /// @notice `auditsPerRound` is 0: at least one update per round is audited.
    error InvalidAuditCount(uint256 auditsPerRound);
    /// @notice `minStake * auditsPerRound < AUDIT_STAKE_MARGIN * rewardPerRound`: faking the work would pay in
    ///         expectation. Raise the minimum stake or the audits per round.
    error StakeBelowAuditBound(uint256 minStake, uint256 rewardPerRound, uint256 auditsPerRound);
    /// @notice The start time is before the current block's timestamp.
    error StartTimeInPast(uint256 startTime, uint256 blockTimestamp);
    /// @notice The start time is beyond the last representable second (2^40 - 1).
    error StartTimeTooLate(uint256 startTime, uint256 maxStartTime);
    /// @notice `rewardPool` must equal `rewardPerRound * numRounds`.
    error RewardPoolMismatch(uint256 rewardPool, uint256 expected);
    /// @notice The reward pool exceeds MAX_REWARD_POOL.
    error RewardPoolTooLarge(uint256 rewardPool, uint256 limit);
    /// @notice The token address is zero.
    error InvalidToken(address token);
    /// @notice An asset is not of the kind the job needs (dataset for `datasetId`, model for `baseModelId`).
    error WrongAssetKind(uint256 assetId, AssetKind expected, AssetKind actual);
    /// @notice The dataset and the base model must be Active.
    error AssetNotActive(uint256 assetId, AssetState state);
    /// @notice `baseModelCid` must be the registry's current manifest of `baseModelId`.
    error BaseModelCidMismatch(uint256 baseModelId, bytes expected, bytes given);
    /// @notice The contract received a different amount than it asked for (fee-on-transfer or rebasing tokens are not
    ///         supported).
    error TransferAmountMismatch(address token, uint256 expected, uint256 received);

    /// @notice Every index of the job is held (`maxTrainers` trainers at once).
    error JobFull(uint256 jobId, uint256 maxTrainers);
    /// @notice The account holds an index in this job already.
    error AlreadyJoined(uint256 jobId, address trainer, uint256 index);
    /// @notice A trainer joining now would play from round `firstRound`, and the job has only `numRounds` rounds.
    error TooLateToJoin(uint256 jobId, uint256 firstRound, uint256 numRounds);
    /// @notice The stake is below the job's minimum.
    error StakeTooLow(uint256 stake, uint256 minimum);
    /// @notice The stake is above MAX_STAKE.
    error StakeTooHigh(uint256 stake, uint256 maximum);
    /// @notice The libp2p peer id is empty.
    error EmptyPeerId();
    /// @notice The account holds no index in this job (never joined, or withdrew, or was slashed).
    error NotATrainer(uint256 jobId, address account);
    /// @notice The trainer's standing does not allow this call (for example committing after leaving).
    error TrainerNotActive(uint256 jobId, address trainer, TrainerStatus status);
    /// @notice The trainer still takes part in the running job: `leave` first, or wait for the end and claim period.
    error StakeLocked(uint256 jobId, address trainer);
    /// @notice The stake is bonded to the trainer's last reveal: it unlocks once round `unlockRound` has started.
    error StakeBonded(uint256 jobId, address trainer, uint256 unlockRound);
    /// @notice After the job's end, stakes and unclaimed rewards wait for the claim period, until `unlocksAt`.
    error ClaimPeriodNotOver(uint256 jobId, uint256 unlocksAt);
    /// @notice The trainer has an unrevealed commitment from `round`: it must be slashed before the trainer may
    ///         commit again or withdraw.
    error CommitmentPending(uint256 jobId, address trainer, uint256 round);
    /// @notice The trainer is not idle: it may be evicted once round `evictableFromRound` has started.
    error NotIdle(uint256 jobId, address trainer, uint256 evictableFromRound);

    /// @notice The call names a round other than the job's current round.
    error WrongRound(uint256 round, uint256 currentRound);
    /// @notice The call belongs to `phase`, whose window is [opensAt, closesAt) for this round.
    error OutsideWindow(Phase phase, uint256 opensAt, uint256 closesAt);
    /// @notice The trainer joined after round `round` began: its stake plays from `firstRound` on.
    error NotBondedYet(uint256 round, uint256 firstRound);
    /// @notice The trainer already committed in this round.
    error AlreadyCommitted(uint256 round);
    /// @notice The trainer did not commit in this round (or already revealed).
    error NotCommitted(uint256 round);
    /// @notice The revealed values do not hash to the commitment.
    error CommitmentMismatch(bytes32 committed, bytes32 revealed);
    /// @notice Samples must be in [1, maxSamples].
    error SamplesOutOfRange(uint256 samples, uint256 maxSamples);
    /// @notice Only trainers who revealed on time in the round may attest.
    error NotRevealed(uint256 round);
    /// @notice The trainer revealed late in this round: its update does not count and it may not attest.
    error RevealedLate(uint256 round);
    /// @notice The trainer already attested tuple `tupleId` in this round.
    error AlreadyAttested(uint256 round, uint256 tupleId);
    /// @notice An attested tuple must include someone, and `includedSamples` must lie between the number of included
    ///         trainers and that number times `maxSamples`.
    error InvalidInclusion(uint256 includedMask, uint256 includedSamples);
    /// @notice A tuple slashes a trainer it also includes, or more trainers than the round audits (`auditsPerRound`
    ///         plus the late reveals).
    error InvalidSlashMask(uint256 includedMask, uint256 slashMask);
    /// @notice The round cannot be finalized before `finalizableAt` (unless every commitment was revealed and its outcome
    ///         can no longer change).
    error FinalizeTooEarly(uint256 round, uint256 finalizableAt);
    /// @notice `finalize` must be given the round's leading tuple (id `leaderTupleId`); the tuple given has id
    ///         `tupleId` (0: nobody attested it).
    error NotLeadingTuple(uint256 round, uint256 tupleId, uint256 leaderTupleId);
    /// @notice A missing reveal can only be slashed once late reveals are over, at `allowedAt`.
    error SlashTooEarly(uint256 round, uint256 allowedAt);
    /// @notice The trainer has no unrevealed commitment from this round.
    error NothingToSlash(uint256 jobId, uint256 round, address trainer);
    /// @notice The trainer's last reveal is settled already (or it never revealed).
    error NothingToSettle(uint256 jobId, address trainer);

    /// @notice `claim` was called with no rounds.
    error NoRoundsGiven();
    /// @notice The round is not final yet.
    error RoundNotFinalized(uint256 round, uint256 currentRound);
    /// @notice The round failed: its reward rolled over and nobody can claim it.
    error RoundFailed(uint256 round);
    /// @notice The caller did not attest in the round (only attesters of the winning tuple are paid).
    error NotAttested(uint256 round);
    /// @notice The caller attested another tuple than the one that won.
    error AttestedLosingTuple(uint256 round, uint256 attestedTupleId, uint256 winningTupleId);
    /// @notice The winning tuple's mask does not include the caller's index.
    error NotIncluded(uint256 round, uint256 trainerIndex);
    /// @notice The caller already claimed this round.
    error AlreadyClaimed(uint256 round);
    /// @notice Paying this claim would bring the round's payments to `paidAfter`, above its `reward` (the winning tuple
    ///         understated `includedSamples`); the round's reward is exhausted.
    error ClaimExceedsReward(uint256 round, uint256 paidAfter, uint256 reward);
    /// @notice The round's unclaimed reward was swept: claims on it are over.
    error ClaimsClosed(uint256 round);
    /// @notice Claims on the round are open until round `openUntilRound` starts (or the claim period after the job's
    ///         end, until `openUntilTime`, is over).
    error ClaimsStillOpen(uint256 round, uint256 openUntilRound, uint256 openUntilTime);
    /// @notice The round has nothing to sweep: it failed (its reward rolled over at once) or was swept already.
    error NothingToSweep(uint256 round);

    /// @notice The job holds nothing for the sponsor nor to burn.
    error NothingToRefund(uint256 jobId);
    /// @notice No round of the job succeeded, so there is no trained model to publish.
    error NoSuccessfulRound(uint256 jobId);
    /// @notice The result was already published as asset `assetId`.
    error ResultAlreadyPublished(uint256 jobId, uint256 assetId);

    // ---------------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice A job was created and its pool deposited.
    /// @param params Every parameter, CIDs included.
    /// @param seed Seed of round 0.
    event JobCreated(uint256 indexed jobId, address indexed sponsor, uint256 indexed datasetId, JobParams params, bytes32 seed);

    /// @notice The sponsor cancelled the job and got `refund` back (the unassigned pool and the carry); `burned`
    ///         forfeited stake was burned.
    event JobCancelled(uint256 indexed jobId, address indexed sponsor, uint256 refund, uint256 burned);

    /// @notice A trainer joined with `stake` and got `index` (its bit in inclusion masks, its rank in aggregation).
    /// @param weight Its quorum weight (see TrainerState.weight).
    /// @param firstRound The first round it may commit in.
    /// @param peerId Binary libp2p peer id.
    /// @param addrs Binary multiaddrs the trainer listens on.
    event TrainerJoined(
        uint256 indexed jobId,
        address indexed trainer,
        uint256 index,
        uint256 stake,
        uint256 weight,
        uint256 firstRound,
        bytes peerId,
        bytes[] addrs
    );

    /// @notice A trainer replaced its peer info.
    event PeerInfoUpdated(uint256 indexed jobId, address indexed trainer, uint256 index, bytes peerId, bytes[] addrs);

    /// @notice A trainer left; its stake unlocks once round `unlockRound` has started (the current round, that is at
    ///         once, when it never revealed on time), or at the end plus the claim period if earlier.
    event TrainerLeft(uint256 indexed jobId, address indexed trainer, uint256 index, uint256 unlockRound);

    /// @notice A trainer withdrew its stake; its index is free again.
    event StakeWithdrawn(uint256 indexed jobId, address indexed trainer, uint256 index, uint256 amount);

    /// @notice An idle trainer was evicted by `caller`: its stake (`amount`) went back to it, its index is free again.
    event TrainerEvicted(uint256 indexed jobId, address indexed trainer, address caller, uint256 index, uint256 amount);

    /// @notice A trainer committed to its update of `round`.
    event Committed(uint256 indexed jobId, uint256 indexed round, address indexed trainer, bytes32 commitment);

    /// @notice A trainer revealed its update of `round`; `weight` is the weight it brings to the round (0 when `late`:
    ///         revealed during the attest window, it does not count and may not attest). `salt` is its commitment's
    ///         salt: the on-time reveals' salts seed the round's audit draw.
    event Revealed(
        uint256 indexed jobId,
        uint256 indexed round,
        address indexed trainer,
        uint256 index,
        bytes updateCid,
        uint256 samples,
        uint256 weight,
        bool late,
        bytes32 salt
    );

    /// @notice A trainer attested a tuple. `tupleId` numbers the round's distinct tuples from 1 in order of first
    ///         attestation; `tupleWeight` is the tuple's tally after this attestation; `leaderTupleId` the id of the
    ///         round's leading tuple after it.
    event Attested(
        uint256 indexed jobId,
        uint256 indexed round,
        address indexed trainer,
        uint256 index,
        bytes aggregateCid,
        uint256 includedMask,
        uint256 includedSamples,
        uint256 slashMask,
        uint256 tupleId,
        uint256 tupleWeight,
        uint256 leaderTupleId
    );

    /// @notice A round was finalized.
    /// @param succeeded Whether the leading tuple won; if not, the tuple fields are empty.
    /// @param aggregateCid The new global model.
    /// @param leaderTupleId Id of the round's leading tuple (0 when nobody attested).
    /// @param reward What the winners share (`rewardPerRound + carry + forfeits`); 0 when the round failed.
    /// @param carry The carry after this round.
    /// @param forfeits Forfeited stake waiting for the next successful round, after this round.
    /// @param early Whether the round was finalized before its attest window ended.
    /// @param nextSeed Seed of the next round (zero after the last round).
    /// @param nextRoundStart Start of the next round, this block's timestamp (zero after the last round).
    /// @param slashMask The slash mask the round applied: the leader's when it won or held more than half of the
    ///        attested weight, else 0.
    event RoundFinalized(
        uint256 indexed jobId,
        uint256 indexed round,
        bool succeeded,
        bytes aggregateCid,
        uint256 includedMask,
        uint256 includedSamples,
        uint256 slashMask,
        uint256 leaderTupleId,
        uint256 reward,
        uint256 carry,
        uint256 forfeits,
        bool early,
        bytes32 nextSeed,
        uint256 nextRoundStart
    );

    /// @notice A trainer claimed `amount` of `round`'s reward for `samples` samples.
    event RewardClaimed(uint256 indexed jobId, uint256 indexed round, address indexed trainer, uint256 amount, uint256 samples);

    /// @notice What nobody claimed of `round`'s reward (`amount`) was swept: `toForfeits` of it (the share that came
    ///         from forfeited stake) back to the forfeits, the rest to the carry.
    event RewardSwept(uint256 indexed jobId, uint256 indexed round, uint256 amount, uint256 toForfeits);

    /// @notice A trainer lost `amount` of its stake for `reason` in `round`; it went to the forfeits.
    event TrainerPenalized(
        uint256 indexed jobId, uint256 indexed round, address indexed trainer, PenaltyReason reason, uint256 amount
    );

    /// @notice A trainer that committed in `round` and never revealed, or whose update of `round` failed its replay
    ///         audit (the winning tuple's `slashMask`), lost its whole `stake` (to the forfeits); its index is free
    ///         again. `caller` is whoever triggered it (`slash`, or the settlement in `commit`, `withdraw`, `evict` or
    ///         `settle`).
    event TrainerSlashed(
        uint256 indexed jobId, uint256 indexed round, address indexed trainer, address caller, uint256 index, uint256 stake
    );

    /// @notice After the end, the carry (`refund`) went back to the sponsor and the forfeits (`burned`) were burned.
    event RemainderRefunded(uint256 indexed jobId, address indexed sponsor, uint256 refund, uint256 burned);

    /// @notice The final model (the aggregate of `round`) was minted as model asset `modelAssetId` for the sponsor.
    event ResultPublished(uint256 indexed jobId, uint256 indexed modelAssetId, uint256 round, bytes modelCid);

    // ---------------------------------------------------------------------------------------------------------------
    // Sponsor
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Creates a job and pulls `params.rewardPool` of the job's token from the caller (approve it first). The
    ///         caller is the sponsor. The dataset and the base model must be Active registry assets of kind Dataset
    ///         and Model, and `baseModelCid` the base model's current manifest; the spec CID must be a binary CIDv1.
    /// @param params The job's parameters (see JobParams).
    /// @return jobId Id of the new job (ids start at 1).
    function createJob(JobParams calldata params) external returns (uint256 jobId);

    /// @notice Cancels a job before its start, or while no trainer ever revealed on time, and refunds the unassigned
    ///         pool and the carry to the sponsor (forfeits, if any, are burned). Trainers may withdraw at once.
    /// @param jobId The job to cancel.
    function cancelJob(uint256 jobId) external;

    /// @notice After the job ended, sends the carry to the sponsor and burns the forfeits. Callable by anyone, any
    ///         number of times (sweeps after the claim period add to the carry).
    /// @param jobId An ended job.
    function refundRemainder(uint256 jobId) external;

    /// @notice After the last round, mints the last successful aggregate as a model asset owned by the sponsor, with
    ///         the dataset and the base model as parents. Callable by anyone, once.
    /// @param jobId An ended job with at least one successful round.
    /// @return modelAssetId The new asset id.
    function publishResult(uint256 jobId) external returns (uint256 modelAssetId);

    // ---------------------------------------------------------------------------------------------------------------
    // Trainers: membership
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Joins a scheduled or running job, pulling `stake` of the job's token from the caller (approve first).
    ///         The caller plays from the current round if it has not begun yet, from the next one otherwise. An
    ///         account that withdrew, was slashed or was evicted may join again.
    /// @param jobId The job to join.
    /// @param stake Stake to deposit, in [minStake, MAX_STAKE].
    /// @param peerId Binary libp2p peer id (non-empty), for discovery by the other trainers.
    /// @param addrs Binary multiaddrs the trainer listens on.
    /// @return index The trainer index: its bit in inclusion masks and its rank when updates are aggregated.
    function join(uint256 jobId, uint256 stake, bytes calldata peerId, bytes[] calldata addrs)
        external
        returns (uint256 index);

    /// @notice Replaces the caller's peer info (emitted only; nothing is stored).
    /// @param jobId A job the caller holds an index in.
    /// @param peerId Binary libp2p peer id (non-empty).
    /// @param addrs Binary multiaddrs.
    function updatePeerInfo(uint256 jobId, bytes calldata peerId, bytes[] calldata addrs) external;

    /// @notice Stops taking part: no more commits. A commitment made before leaving must still be revealed. The stake
    ///         unlocks UNBOND_ROUNDS rounds after the last reveal (at once if it never revealed), or at the
    ///         job's end plus the claim period; leaving never shortens that.
    /// @param jobId A running job the caller takes part in.
    function leave(uint256 jobId) external;

    /// @notice Settles the caller's last reveal (see `settle`) and returns its stake: once the job was cancelled; after
    ///         the job's end plus its claim period; or, after `leave` (or after the end), once round
    ///         `lastRevealRound + UNBOND_ROUNDS + 1` has started (at once if it never revealed). Never while a
    ///         commitment is unrevealed (unless cancelled). Frees the trainer's index. When the settlement slashes the
    ///         trainer (its last update failed its replay audit), it returns 0 and emits `TrainerSlashed` instead of
    ///         `StakeWithdrawn`.
    /// @param jobId The job the stake is in.
    /// @return amount The stake returned.
    function withdraw(uint256 jobId) external returns (uint256 amount);

    /// @notice Returns the stake of a trainer idle for IDLE_ROUNDS rounds (no reveal since its first round or its last
    ///         reveal, no pending commitment) to it, settling its last reveal and taking IDLE_BPS, and frees its index
    ///         (anyone, while the job runs): an index cannot be squatted for free. When the settlement slashes the
    ///         trainer, it returns 0 and emits `TrainerSlashed` instead of `TrainerEvicted`.
    /// @param jobId The job.
    /// @param trainer The idle trainer.
    /// @return amount The stake returned to the trainer.
    function evict(uint256 jobId, address trainer) external returns (uint256 amount);

    /// @notice Takes the penalty a trainer's last reveal earned (the whole stake when the round's applied slash mask
    ///         names it; for an on-time reveal SILENT_BPS for not attesting in a round whose attest window ran out,
    ///         LOSING_BPS for attesting another tuple than a successful round's winner or a failed round's majority
    ///         leader), once
    ///         that round is final. Anyone may call it; commits, withdrawals and evictions do it on the way.
    /// @param jobId The job.
    /// @param trainer The trainer.
    /// @return penalty The stake forfeited (possibly 0).
    function settle(uint256 jobId, address trainer) external returns (uint256 penalty);

    // ---------------------------------------------------------------------------------------------------------------
    // Trainers: rounds
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Commits to the caller's update of the current round, during the commit window, from the caller's first
    ///         round on. Settles its last reveal first; when that slashes the caller (its last update failed its replay
    ///         audit), nothing is committed and the call emits `TrainerSlashed` instead of `Committed`.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param commitment `computeCommitment(jobId, round, updateCid, samples, salt, trainer)`:
    ///        `keccak256(abi.encode(chainId, address(this), jobId, round, updateCid, samples, salt, trainer))`.
    function commit(uint256 jobId, uint256 round, bytes32 commitment) external;

    /// @notice Reveals the committed update: during the reveal window it adds the caller's weight to the round's
    ///         revealed weight; during the attest window it is late (LATE_REVEAL_BPS of the stake is forfeited, the
    ///         update does not count and the caller may not attest).
    /// @param jobId The job.
    /// @param round The current round, in which the caller committed.
    /// @param updateCid Binary CIDv1 of the update (it stays in the event only).
    /// @param samples Samples trained on, in [1, maxSamples].
    /// @param salt The 32 random bytes hashed into the commitment.
    function reveal(uint256 jobId, uint256 round, bytes calldata updateCid, uint256 samples, bytes32 salt) external;

    /// @notice Attests, during the attest window, the aggregate the caller computed from the on-time reveals, with the
    ///         caller's weight.
    /// @param jobId The job.
    /// @param round The current round, in which the caller revealed on time.
    /// @param aggregateCid Binary CIDv1 of the aggregate model.
    /// @param includedMask Bit i set when trainer index i's update is included.
    /// @param includedSamples Sum of the samples of the included updates.
    /// @param slashMask Bit i set when trainer index i's update failed its replay audit (disjoint from the inclusion,
    ///        at most `auditsPerRound` plus the round's late reveals so far).
    function attest(
        uint256 jobId,
        uint256 round,
        bytes calldata aggregateCid,
        uint256 includedMask,
        uint256 includedSamples,
        uint256 slashMask
    ) external;

    /// @notice Finalizes the current round (anyone): after the attest window, or after the reveal window once the
    ///         outcome can no longer change. Records the outcome, moves the reward, fixes the next round's seed and
    ///         starts it. The caller passes the leading tuple (from the `Attested` events: `leaderTupleId`), checked
    ///         against its tally; when nobody attested, the tuple is ignored (pass empty values).
    /// @param jobId The job.
    /// @param round The current round.
    /// @param aggregateCid The leading tuple's aggregate CID.
    /// @param includedMask The leading tuple's mask.
    /// @param includedSamples The leading tuple's included samples.
    /// @param slashMask The leading tuple's slash mask.
    function finalize(
        uint256 jobId,
        uint256 round,
        bytes calldata aggregateCid,
        uint256 includedMask,
        uint256 includedSamples,
        uint256 slashMask
    ) external;

    /// @notice Pays the caller its share of each listed round, in one transfer: for each round it must have attested
    ///         the winning tuple and be included in it, and the round must not be swept. O(1) per round.
    /// @param jobId The job.
    /// @param rounds Finalized, successful rounds not claimed yet, each listed once.
    /// @return amount Total paid.
    function claim(uint256 jobId, uint256[] calldata rounds) external returns (uint256 amount);

    /// @notice Moves what nobody claimed of a successful round's reward back to the carry and, for the share that came
    ///         from forfeited stake, to the forfeits (anyone), once CLAIM_ROUNDS more rounds have been finalized or the
    ///         claim period after the job's end is over.
    /// @param jobId The job.
    /// @param round A successful round.
    /// @return amount What was swept (possibly 0).
    function sweep(uint256 jobId, uint256 round) external returns (uint256 amount);

    /// @notice Slashes `trainer` (anyone): it committed in `round` and never revealed, not even late (once the attest
    ///         window of `round` is over), or the slash mask `round` applied names it (its update failed its replay
    ///         audit) and its reveal of `round` is not settled yet. The whole stake goes to the forfeits; the index is freed.
    /// @param jobId The job.
    /// @param round The round of the trainer's unrevealed commitment.
    /// @param trainer The trainer to slash.
    function slash(uint256 jobId, uint256 round, address trainer) external;

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice How many round rewards `auditsPerRound` minimum stakes must cover (see Audits).
    function AUDIT_STAKE_MARGIN() external view returns (uint256);

    /// @notice Share of the stake forfeited by an on-time revealer that did not attest in a round whose attest window
    ///         ran out, in basis points.
    function SILENT_BPS() external view returns (uint256);

    /// @notice Share of the stake forfeited by an attester of a tuple other than a successful round's winner.
    function LOSING_BPS() external view returns (uint256);

    /// @notice Share of the stake forfeited by a late reveal.
    function LATE_REVEAL_BPS() external view returns (uint256);

    /// @notice Share of the stake forfeited by an evicted (idle) trainer.
    function IDLE_BPS() external view returns (uint256);

    /// @notice Rounds a stake stays bonded after its last reveal.
    function UNBOND_ROUNDS() external view returns (uint256);

    /// @notice Rounds a round's reward stays claimable before anyone may sweep it (while the job runs).
    function CLAIM_ROUNDS() external view returns (uint256);

    /// @notice Rounds without a reveal after which a trainer may be evicted.
    function IDLE_ROUNDS() external view returns (uint256);

    /// @notice Where `refundRemainder` sends forfeits left after the end.
    function BURN_ADDRESS() external view returns (address);

    /// @notice Largest reward of one round (2^100 - 1): a round's reward is stored in 100 bits.
    function MAX_ROUND_REWARD() external view returns (uint256);

    /// @notice Longest window (and claim period): 30 days.
    function MAX_WINDOW() external view returns (uint256);

    /// @notice Shortest window (and claim period) of this deployment.
    function minWindow() external view returns (uint256);

    /// @notice Largest number of rounds of a job.
    function MAX_ROUNDS() external view returns (uint256);

    /// @notice Largest `maxTrainers` (the width of an inclusion mask).
    function MAX_TRAINERS() external view returns (uint256);

    /// @notice Largest stake a trainer may deposit (so that 256 stakes sum within 96 bits).
    function MAX_STAKE() external view returns (uint256);

    /// @notice Largest reward pool of a job.
    function MAX_REWARD_POOL() external view returns (uint256);

    /// @notice The AssetRegistry the jobs read assets from and publish results to.
    function registry() external view returns (address);

    /// @notice Number of jobs created (the last job id).
    function jobCount() external view returns (uint256);

    /// @notice A job's parameters and state in one call. Reverts `JobNotFound` for unknown ids.
    function getJob(uint256 jobId) external view returns (JobParams memory params, JobState memory state);

    /// @notice The current round, its phase and deadlines, its seed and tallies in one call.
    function getRound(uint256 jobId) external view returns (RoundState memory);

    /// @notice A trainer's index, status, stake and bonding.
    function getTrainer(uint256 jobId, address trainer) external view returns (TrainerState memory);

    /// @notice What a trainer did in a round (revealed samples, attested tuple, inclusion, claim).
    function getTrainerRound(uint256 jobId, uint256 round, address trainer) external view returns (TrainerRound memory);

    /// @notice The outcome of a round: status, leading tuple, reward and what is paid of it.
    function getRoundResult(uint256 jobId, uint256 round) external view returns (RoundResult memory);

    /// @notice The current global model: the last successful aggregate, or the base model.
    /// @return cid Model manifest CID.
    /// @return trained Whether `cid` comes from a round (false: the base model).
    /// @return round The round that produced it (meaningful when `trained`).
    function currentModel(uint256 jobId) external view returns (bytes memory cid, bool trained, uint256 round);

    /// @notice A tuple's id and tally in a round (0, 0 if nobody attested it).
    function getTuple(uint256 jobId, uint256 round, bytes32 tupleHash)
        external
        view
        returns (uint256 tupleId, uint256 weight);

    /// @notice The commitment `commit` expects:
    ///         `keccak256(abi.encode(block.chainid, address(this), jobId, round, updateCid, samples, salt, trainer))`.
    function computeCommitment(
        uint256 jobId,
        uint256 round,
        bytes calldata updateCid,
        uint256 samples,
        bytes32 salt,
        address trainer
    ) external view returns (bytes32);

    /// @notice The key tuples are tallied under:
    ///         `keccak256(abi.encode(aggregateCid, includedMask, includedSamples, slashMask))`.
    function computeTupleHash(bytes calldata aggregateCid, uint256 includedMask, uint256 includedSamples, uint256 slashMask)
        external
        pure
        returns (bytes32);
}
