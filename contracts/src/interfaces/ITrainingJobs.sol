// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AssetKind} from "../types/Asset.sol";
import {
    JobParams,
    JobState,
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
///         and `attest` it; anyone `finalize`s. The tuple `(aggregateCid, includedMask, includedSamples)` attested by a
///         quorum of the revealed stake becomes the next global model and its included attesters `claim` the round's
///         reward pro rata to their samples. No function loops over trainers.
///
///         Round timeline. Round 0 starts at the job's start time, round r+1 at the moment round r is finalized. From a
///         round's start S: commits in [S, S+commitWindow), reveals in [S+commitWindow, S+commitWindow+revealWindow),
///         attestations in [that, that+attestWindow); `finalize` from the end of the attest window on, or from the end
///         of the reveal window on once every trainer who revealed has attested (at once if nobody revealed). A round that ends without a tuple
///         holding the quorum (or without reveals) fails: it still consumes one of the job's rounds, the model stays,
///         and its reward rolls over into the `carry` of the next round to finalize.
///
///         Money. The sponsor deposits `rewardPerRound * numRounds` at creation. A successful round's reward is
///         `rewardPerRound + carry`; an included attester of the winning tuple claims
///         `reward * samples / includedSamples` (rounded down; at most `includedSamples` samples are ever paid per
///         round, so a colluding quorum attesting a too-small `includedSamples` cannot drain more than the reward).
///         What is left after the last round (the carry of failed rounds and of late slashes) and slashed stake in a
///         stake token other than the reward token go back to the sponsor through `refundRemainder`.
///
///         Stakes. A trainer that committed and did not reveal is slashable by anyone once the reveal window is over:
///         `SLASH_CALLER_BPS` of the stake goes to the caller, the rest to the carry (same token) or to the sponsor
///         (different token). A trainer with an unrevealed commitment cannot commit again nor withdraw until it is
///         slashed. Stakes are withdrawable after the job ends (or is cancelled), or after `leave` plus a cooldown of
///         one round length (commit + reveal + attest windows).
///
///         Determinism. The seed of round r, from which trainers derive their shard assignment off-chain (with their
///         index), is `keccak256(abi.encode(chainId, address(this), jobId, r, modelCid))` where `modelCid` is the
///         binary CID of the global model at the start of round r (the aggregate of the last successful round before
///         r, or the base model). It is fixed when round r-1 is finalized, depends on every revealed update through the
///         winning aggregate, cannot be ground by whoever calls `finalize` or by a block proposer (no block data goes
///         in), and anyone can recompute it from the chain. It is emitted (`RoundFinalized.nextSeed`, and the seed of
///         round 0 in `JobCreated`) and readable with `getRound`.
interface ITrainingJobs {
    // ---------------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------------

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
    /// @notice Cancellation is only possible before round 0 starts at `startTime`.
    error JobAlreadyStarted(uint256 jobId, uint256 startTime);

    /// @notice `numRounds` must be in [1, MAX_ROUNDS].
    error InvalidRoundCount(uint256 numRounds, uint256 maxRounds);
    /// @notice Every window must be at least one second long.
    error InvalidWindows(uint256 commitWindow, uint256 revealWindow, uint256 attestWindow);
    /// @notice The quorum must be in (5,000, 10,000] basis points so that at most one tuple can reach it.
    error InvalidQuorum(uint256 quorumBps);
    /// @notice `maxTrainers` must be in [1, MAX_TRAINERS].
    error InvalidMaxTrainers(uint256 maxTrainers, uint256 limit);
    /// @notice `maxSamples` must be at least 1.
    error InvalidMaxSamples(uint256 maxSamples);
    /// @notice `minStake` must be in [1, MAX_STAKE].
    error InvalidMinStake(uint256 minStake, uint256 maxStake);
    /// @notice The start time is before the current block's timestamp.
    error StartTimeInPast(uint256 startTime, uint256 blockTimestamp);
    /// @notice `rewardPool` must equal `rewardPerRound * numRounds`.
    error RewardPoolMismatch(uint256 rewardPool, uint256 expected);
    /// @notice The reward pool exceeds MAX_REWARD_POOL.
    error RewardPoolTooLarge(uint256 rewardPool, uint256 limit);
    /// @notice A token address is zero.
    error InvalidToken(address token);
    /// @notice An asset is not of the kind the job needs (dataset for `datasetId`, model for `baseModelId`).
    error WrongAssetKind(uint256 assetId, AssetKind expected, AssetKind actual);
    /// @notice The contract received a different amount than it asked for (fee-on-transfer or rebasing tokens are not
    ///         supported).
    error TransferAmountMismatch(address token, uint256 expected, uint256 received);

    /// @notice Every trainer index of the job is taken.
    error JobFull(uint256 jobId, uint256 maxTrainers);
    /// @notice The account already joined this job (indices and stakes are one per account and job).
    error AlreadyJoined(uint256 jobId, address trainer, uint256 index);
    /// @notice The stake is below the job's minimum.
    error StakeTooLow(uint256 stake, uint256 minimum);
    /// @notice The stake is above MAX_STAKE.
    error StakeTooHigh(uint256 stake, uint256 maximum);
    /// @notice The libp2p peer id is empty.
    error EmptyPeerId();
    /// @notice The account never joined this job.
    error NotATrainer(uint256 jobId, address account);
    /// @notice The trainer's standing does not allow this call (for example committing after leaving).
    error TrainerNotActive(uint256 jobId, address trainer, TrainerStatus status);
    /// @notice The trainer still runs with the job: leave first, or wait for the job's end.
    error StakeLocked(uint256 jobId, address trainer);
    /// @notice The leave cooldown is not over.
    error CooldownNotOver(uint256 withdrawableAt, uint256 blockTimestamp);
    /// @notice The trainer has an unrevealed commitment from `round`: it must be slashed before the trainer may
    ///         commit again or withdraw.
    error CommitmentPending(uint256 jobId, address trainer, uint256 round);

    /// @notice The call names a round other than the job's current round.
    error WrongRound(uint256 round, uint256 currentRound);
    /// @notice The call belongs to `phase`, whose window is [opensAt, closesAt) for this round.
    error OutsideWindow(Phase phase, uint256 opensAt, uint256 closesAt);
    /// @notice The trainer already committed in this round.
    error AlreadyCommitted(uint256 round);
    /// @notice The trainer did not commit in this round (or already revealed).
    error NotCommitted(uint256 round);
    /// @notice The revealed values do not hash to the commitment.
    error CommitmentMismatch(bytes32 committed, bytes32 revealed);
    /// @notice Samples must be in [1, maxSamples].
    error SamplesOutOfRange(uint256 samples, uint256 maxSamples);
    /// @notice Only trainers who revealed in the round may attest.
    error NotRevealed(uint256 round);
    /// @notice The trainer already attested tuple `tupleId` in this round.
    error AlreadyAttested(uint256 round, uint256 tupleId);
    /// @notice An attested tuple must include someone, and `includedSamples` must lie between the number of included
    ///         trainers and that number times `maxSamples`.
    error InvalidInclusion(uint256 includedMask, uint256 includedSamples);
    /// @notice The round cannot be finalized before `finalizableAt` (unless everyone who revealed has attested).
    error FinalizeTooEarly(uint256 round, uint256 finalizableAt);
    /// @notice A missing reveal can only be slashed once the reveal window is over, at `allowedAt`.
    error SlashTooEarly(uint256 round, uint256 allowedAt);
    /// @notice The trainer has no unrevealed commitment from this round.
    error NothingToSlash(uint256 jobId, uint256 round, address trainer);

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
    /// @notice Paying this claim would pay more samples than the winning tuple includes (the tuple understated
    ///         `includedSamples`); the round's reward is exhausted.
    error ClaimExceedsIncludedSamples(uint256 round, uint256 claimedSamples, uint256 includedSamples);

    /// @notice The job holds nothing for the sponsor.
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

    /// @notice The sponsor cancelled the job before it started and got `refund` back.
    event JobCancelled(uint256 indexed jobId, address indexed sponsor, uint256 refund);

    /// @notice A trainer joined with `stake` and got `index` (its bit in inclusion masks, its rank in aggregation).
    /// @param peerId Binary libp2p peer id.
    /// @param addrs Binary multiaddrs the trainer listens on.
    event TrainerJoined(uint256 indexed jobId, address indexed trainer, uint256 index, uint256 stake, bytes peerId, bytes[] addrs);

    /// @notice A trainer replaced its peer info.
    event PeerInfoUpdated(uint256 indexed jobId, address indexed trainer, uint256 index, bytes peerId, bytes[] addrs);

    /// @notice A trainer left; its stake is withdrawable from `withdrawableAt` (or the job's end, if earlier).
    event TrainerLeft(uint256 indexed jobId, address indexed trainer, uint256 index, uint256 withdrawableAt);

    /// @notice A trainer withdrew its stake.
    event StakeWithdrawn(uint256 indexed jobId, address indexed trainer, uint256 index, uint256 amount);

    /// @notice A trainer committed to its update of `round`.
    event Committed(uint256 indexed jobId, uint256 indexed round, address indexed trainer, bytes32 commitment);

    /// @notice A trainer revealed its update of `round`; `stake` is the weight it brings to the quorum.
    event Revealed(
        uint256 indexed jobId,
        uint256 indexed round,
        address indexed trainer,
        uint256 index,
        bytes updateCid,
        uint256 samples,
        uint256 stake
    );

    /// @notice A trainer attested a tuple. `tupleId` numbers the round's distinct tuples from 1 in order of first
    ///         attestation; `tupleStake` is the tuple's tally after this attestation; `quorumReached` is true for the
    ///         one attestation that brought the tuple to the quorum.
    event Attested(
        uint256 indexed jobId,
        uint256 indexed round,
        address indexed trainer,
        uint256 index,
        bytes aggregateCid,
        uint256 includedMask,
        uint256 includedSamples,
        uint256 tupleId,
        uint256 tupleStake,
        bool quorumReached
    );

    /// @notice A round was finalized.
    /// @param succeeded Whether a tuple reached the quorum; if not, the other tuple fields are empty.
    /// @param aggregateCid The new global model.
    /// @param reward The round's reward: claimable when `succeeded`, otherwise rolled over into `carry`.
    /// @param carry The carry after this round (what the next round to finalize will add to its reward).
    /// @param nextSeed Seed of the next round (zero after the last round).
    /// @param nextRoundStart Start of the next round, this block's timestamp (zero after the last round).
    event RoundFinalized(
        uint256 indexed jobId,
        uint256 indexed round,
        bool succeeded,
        bytes aggregateCid,
        uint256 includedMask,
        uint256 includedSamples,
        uint256 winningTupleId,
        uint256 reward,
        uint256 carry,
        bytes32 nextSeed,
        uint256 nextRoundStart
    );

    /// @notice A trainer claimed `amount` of `round`'s reward for `samples` samples.
    event RewardClaimed(uint256 indexed jobId, uint256 indexed round, address indexed trainer, uint256 amount, uint256 samples);

    /// @notice A trainer that committed in `round` and did not reveal lost its `stake`: `callerShare` went to
    ///         `caller`, `poolShare` to the carry (`toCarry`) or to the sponsor's forfeited balance.
    event TrainerSlashed(
        uint256 indexed jobId,
        uint256 indexed round,
        address indexed trainer,
        address caller,
        uint256 index,
        uint256 stake,
        uint256 callerShare,
        uint256 poolShare,
        bool toCarry
    );

    /// @notice After the end, the carry (`rewardAmount`, reward token) and forfeited stake (`stakeAmount`, stake token)
    ///         went back to the sponsor.
    event RemainderRefunded(uint256 indexed jobId, address indexed sponsor, uint256 rewardAmount, uint256 stakeAmount);

    /// @notice The final model (the aggregate of `round`) was minted as model asset `modelAssetId` for the sponsor.
    event ResultPublished(uint256 indexed jobId, uint256 indexed modelAssetId, uint256 round, bytes modelCid);

    // ---------------------------------------------------------------------------------------------------------------
    // Sponsor
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Creates a job and pulls `params.rewardPool` of the reward token from the caller (approve it first).
    ///         The caller is the sponsor. The dataset and base model must be registry assets of kind Dataset and
    ///         Model; both CIDs must be binary CIDv1.
    /// @param params The job's parameters (see JobParams).
    /// @return jobId Id of the new job (ids start at 1).
    function createJob(JobParams calldata params) external returns (uint256 jobId);

    /// @notice Cancels a job before round 0 starts and refunds the whole pool to the sponsor. Trainers who joined may
    ///         withdraw at once.
    /// @param jobId The job to cancel.
    function cancelJob(uint256 jobId) external;

    /// @notice After the job ended, sends the sponsor the carry (reward token) and the forfeited stake (stake token,
    ///         when it differs from the reward token). Callable by anyone, any number of times.
    /// @param jobId An ended (or cancelled) job.
    function refundRemainder(uint256 jobId) external;

    /// @notice After the last round, mints the last successful aggregate as a model asset owned by the sponsor, with
    ///         the dataset and the base model as parents. Callable by anyone, once.
    /// @param jobId An ended job with at least one successful round.
    /// @return modelAssetId The new asset id.
    function publishResult(uint256 jobId) external returns (uint256 modelAssetId);

    // ---------------------------------------------------------------------------------------------------------------
    // Trainers: membership
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Joins a scheduled or running job, pulling `stake` of the stake token from the caller (approve first).
    /// @param jobId The job to join.
    /// @param stake Stake to deposit, in [minStake, MAX_STAKE].
    /// @param peerId Binary libp2p peer id (non-empty), for discovery by the other trainers.
    /// @param addrs Binary multiaddrs the trainer listens on.
    /// @return index The trainer index: its bit in inclusion masks and its rank when updates are aggregated.
    function join(uint256 jobId, uint256 stake, bytes calldata peerId, bytes[] calldata addrs)
        external
        returns (uint256 index);

    /// @notice Replaces the caller's peer info (emitted only; nothing is stored).
    /// @param jobId A job the caller joined (and did not leave the stake of).
    /// @param peerId Binary libp2p peer id (non-empty).
    /// @param addrs Binary multiaddrs.
    function updatePeerInfo(uint256 jobId, bytes calldata peerId, bytes[] calldata addrs) external;

    /// @notice Stops taking part: no more commits. A commitment made before leaving must still be revealed. The
    ///         stake becomes withdrawable after a cooldown of one round length, or at the job's end.
    /// @param jobId A running job the caller takes part in.
    function leave(uint256 jobId) external;

    /// @notice Returns the caller's stake: after the job ended or was cancelled, or after leaving plus the cooldown;
    ///         never while a commitment is unrevealed, never after a slash.
    /// @param jobId The job the stake is in.
    /// @return amount The stake returned.
    function withdraw(uint256 jobId) external returns (uint256 amount);

    // ---------------------------------------------------------------------------------------------------------------
    // Trainers: rounds
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Commits to the caller's update of the current round, during the commit window.
    /// @param jobId The job.
    /// @param round The current round.
    /// @param commitment `keccak256(abi.encode(bytes updateCid, uint256 samples, bytes32 salt, address trainer))`,
    ///        with viem: `keccak256(encodeAbiParameters(parseAbiParameters("bytes, uint256, bytes32, address"),
    ///        [updateCid, samples, salt, trainer]))` (see `computeCommitment`).
    function commit(uint256 jobId, uint256 round, bytes32 commitment) external;

    /// @notice Reveals the committed update during the reveal window. Adds the caller's stake to the round's revealed
    ///         stake.
    /// @param jobId The job.
    /// @param round The current round, in which the caller committed.
    /// @param updateCid Binary CIDv1 of the update (it stays in the event only).
    /// @param samples Samples trained on, in [1, maxSamples].
    /// @param salt The 32 random bytes hashed into the commitment.
    function reveal(uint256 jobId, uint256 round, bytes calldata updateCid, uint256 samples, bytes32 salt) external;

    /// @notice Attests, during the attest window, the aggregate the caller computed from the revealed updates, with
    ///         the caller's stake as weight. The tuple whose tally first reaches the quorum wins the round.
    /// @param jobId The job.
    /// @param round The current round, in which the caller revealed.
    /// @param aggregateCid Binary CIDv1 of the aggregate model. Stored packed (up to 37 bytes, e.g. any sha2-256 CIDv1);
    ///        a longer CID is stored whole by the attestation that reaches the quorum, at a higher gas cost.
    /// @param includedMask Bit i set when trainer index i's update is included.
    /// @param includedSamples Sum of the samples of the included updates.
    function attest(
        uint256 jobId,
        uint256 round,
        bytes calldata aggregateCid,
        uint256 includedMask,
        uint256 includedSamples
    ) external;

    /// @notice Finalizes the current round (anyone): after the attest window, or after the reveal window once every
    ///         trainer who revealed has attested (at once if nobody revealed). Records the winner or the failure, moves the reward, fixes the next
    ///         round's seed and starts it.
    /// @param jobId The job.
    /// @param round The current round.
    function finalize(uint256 jobId, uint256 round) external;

    /// @notice Pays the caller its share of each listed round, in one transfer: for each round it must have attested
    ///         the winning tuple and be included in it. O(1) per round.
    /// @param jobId The job.
    /// @param rounds Finalized, successful rounds not claimed yet, each listed once.
    /// @return amount Total paid.
    function claim(uint256 jobId, uint256[] calldata rounds) external returns (uint256 amount);

    /// @notice Slashes `trainer`, which committed in `round` and did not reveal (anyone, once the reveal window of
    ///         `round` is over). The caller receives SLASH_CALLER_BPS of the stake.
    /// @param jobId The job.
    /// @param round The round of the trainer's unrevealed commitment.
    /// @param trainer The trainer to slash.
    function slash(uint256 jobId, uint256 round, address trainer) external;

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Share of a slashed stake paid to the caller of `slash`, in basis points.
    function SLASH_CALLER_BPS() external view returns (uint256);

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

    /// @notice A trainer's index, status and stake.
    function getTrainer(uint256 jobId, address trainer) external view returns (TrainerState memory);

    /// @notice What a trainer did in a round (revealed samples, attested tuple, inclusion, claim).
    function getTrainerRound(uint256 jobId, uint256 round, address trainer) external view returns (TrainerRound memory);

    /// @notice The outcome of a round: status, winning tuple, reward and what is paid of it.
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
        returns (uint256 tupleId, uint256 stake);

    /// @notice The commitment `commit` expects: `keccak256(abi.encode(updateCid, samples, salt, trainer))`.
    function computeCommitment(bytes calldata updateCid, uint256 samples, bytes32 salt, address trainer)
        external
        pure
        returns (bytes32);

    /// @notice The key tuples are tallied under: `keccak256(abi.encode(aggregateCid, includedMask, includedSamples))`.
    function computeTupleHash(bytes calldata aggregateCid, uint256 includedMask, uint256 includedSamples)
        external
        pure
        returns (bytes32);
}
