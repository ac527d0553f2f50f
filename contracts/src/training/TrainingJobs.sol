// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {ITrainingJobs} from "../interfaces/ITrainingJobs.sol";
import {CidLib} from "../libraries/CidLib.sol";
import {AssetKind} from "../types/Asset.sol";
import {
    JobParams,
    JobState,
    JobStatus,
    PenaltyReason,
    Phase,
    RoundResult,
    RoundState,
    RoundStatus,
    TrainerRound,
    TrainerState,
    TrainerStatus
} from "../types/Training.sol";
import {
    Funds,
    FundsLib,
    LiveRound,
    LiveRoundLib,
    RoundOutcome,
    RoundOutcomeLib,
    RoundRecord,
    RoundRecordLib,
    Schedule,
    ScheduleLib,
    Tally,
    TallyLib,
    TrainerSlot,
    TrainerSlotLib
} from "../types/TrainingSlots.sol";
import {JobSetup} from "./JobSetup.sol";
import {
    AUDIT_STAKE_MARGIN as AUDIT_STAKE_MARGIN_,
    BPS,
    BURN_ADDRESS as BURN_ADDRESS_,
    EMPTY_SLOT_MARKER,
    Job,
    MAX_REWARD_POOL as MAX_REWARD_POOL_,
    MAX_ROUNDS as MAX_ROUNDS_,
    MAX_STAKE as MAX_STAKE_,
    MAX_TRAINERS as MAX_TRAINERS_,
    MAX_WINDOW as MAX_WINDOW_,
    Membership,
    STATUS_CANCELLED,
    Trainer,
    seedOf
} from "./JobStorage.sol";

/// @title TrainingJobs
/// @notice Staked, coordinator-free training rounds with rewards. The protocol is specified in ITrainingJobs; the
///         threat model is in contracts/README.md.
/// @dev Gas layout. Per-round calls touch a handful of slots, most of them reused from round to round so that they are
///      written nonzero -> nonzero (2,900 gas after the cold read) rather than zero -> nonzero (20,000):
///      - `Job.schedule` (Schedule, one word): the clock and limits every round call checks.
///      - `Job.live` (LiveRound, one word): the current round's tallies and leader, tagged with the round.
///      - `Job.funds` (Funds, one word): carry, forfeits and the packed global model CID, plus `Job.modelCidTail`.
///      - `Trainer` (TrainerSlot + commitment, two words written at join): stake, weight, index, status, bonding and
///        the pending commitment.
///      Fresh slots per round: one RoundRecord per revealing trainer (written at reveal, updated at attest and claim),
///      one Tally per distinct attested tuple, and the RoundOutcome written at finalization (updated by claims and the
///      sweep). Update CIDs and the winning tuple live in events only; the global model's CID is stored packed
///      (CidLib.pack: a 5-byte head beside other fields plus a 32-byte tail), or whole when longer than 37 bytes.
///      Penalties are settled lazily, at the trainer's next commit, withdrawal or eviction: that settlement reads the
///      trainer's record and the outcome of its last reveal's round (two cold reads, about 4,200 gas on `commit`).
contract TrainingJobs is ITrainingJobs, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------------------------------
    // Constants
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ITrainingJobs
    uint256 public constant AUDIT_STAKE_MARGIN = AUDIT_STAKE_MARGIN_;
    /// @inheritdoc ITrainingJobs
    uint256 public constant SILENT_BPS = 100;
    /// @inheritdoc ITrainingJobs
    uint256 public constant LOSING_BPS = 1_000;
    /// @inheritdoc ITrainingJobs
    uint256 public constant LATE_REVEAL_BPS = 500;
    /// @inheritdoc ITrainingJobs
    uint256 public constant IDLE_BPS = 100;
    /// @inheritdoc ITrainingJobs
    uint256 public constant UNBOND_ROUNDS = 1;
    /// @inheritdoc ITrainingJobs
    uint256 public constant CLAIM_ROUNDS = 2;
    /// @inheritdoc ITrainingJobs
    uint256 public constant IDLE_ROUNDS = 3;
    /// @inheritdoc ITrainingJobs
    address public constant BURN_ADDRESS = BURN_ADDRESS_;
    /// @inheritdoc ITrainingJobs
    uint256 public constant MAX_WINDOW = MAX_WINDOW_;
    /// @inheritdoc ITrainingJobs
    uint256 public constant MAX_TRAINERS = MAX_TRAINERS_;
    /// @inheritdoc ITrainingJobs
    uint256 public constant MAX_STAKE = MAX_STAKE_;
    /// @inheritdoc ITrainingJobs
    uint256 public constant MAX_REWARD_POOL = MAX_REWARD_POOL_;
    /// @inheritdoc ITrainingJobs
    uint256 public constant MAX_ROUNDS = MAX_ROUNDS_;
    /// @inheritdoc ITrainingJobs
    uint256 public constant MAX_ROUND_REWARD = (1 << 100) - 1;

    /// @inheritdoc ITrainingJobs
    uint256 public immutable minWindow;

    /// @dev Weights are in units of minStake / 2^16: a minimum stake weighs 2^16, a capped one `weightCap << 16`.
    uint256 private constant WEIGHT_UNIT = 1 << 16;

    // ---------------------------------------------------------------------------------------------------------------
    // Storage (the Job and Trainer structs are in JobStorage.sol, shared with JobSetup)
    // ---------------------------------------------------------------------------------------------------------------

    IAssetRegistry private immutable _registry;

    uint256 private _jobCount;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint256 jobId => mapping(address trainer => Trainer)) private _trainers;
    mapping(uint256 jobId => mapping(uint256 round => mapping(address trainer => RoundRecord))) private _records;
    mapping(uint256 jobId => mapping(uint256 round => mapping(bytes32 tupleHash => Tally))) private _tallies;
    mapping(uint256 jobId => mapping(uint256 round => RoundOutcome)) private _outcomes;
    /// @dev The part of a successful round's reward that came from forfeited stake (written only when nonzero), so that
    ///      a sweep sends that share of the unclaimed rest back to the forfeits, never to the sponsor's carry.
    mapping(uint256 jobId => mapping(uint256 round => uint256)) private _forfeitParts;
    /// @dev The winning tuple's slash mask of a successful round (written only when nonzero: when someone cheated).
    mapping(uint256 jobId => mapping(uint256 round => uint256)) private _slashMasks;

    // ---------------------------------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------------------------------

    /// @param registry_ The AssetRegistry datasets and base models are checked against and results are minted in.
    /// @param minWindow_ Shortest window (and claim period) a job may have, in seconds: long enough that a congested
    ///        chain still includes a reveal (minutes on a public chain, seconds on a devnet).
    constructor(IAssetRegistry registry_, uint256 minWindow_) {
        if (minWindow_ == 0 || minWindow_ > MAX_WINDOW) revert InvalidMinWindow(minWindow_, MAX_WINDOW);
        _registry = registry_;
        minWindow = minWindow_;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // External: sponsor
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ITrainingJobs
    function createJob(JobParams calldata params) external nonReentrant returns (uint256 jobId) {
        jobId = ++_jobCount;
        JobSetup.initialize(_jobs[jobId], jobId, msg.sender, params, _registry, minWindow);
        _pullExact(IERC20(params.token), msg.sender, params.rewardPool);
    }

    /// @inheritdoc ITrainingJobs
    function cancelJob(uint256 jobId) external nonReentrant {
        JobSetup.cancel(_jobs[jobId], jobId);
    }

    /// @inheritdoc ITrainingJobs
    function refundRemainder(uint256 jobId) external nonReentrant {
        JobSetup.refundRemainder(_jobs[jobId], jobId);
    }

    /// @inheritdoc ITrainingJobs
    function publishResult(uint256 jobId) external nonReentrant returns (uint256 modelAssetId) {
        Job storage job = _jobs[jobId];
        return JobSetup.publishResult(job, jobId, _registry, _currentModelCid(job, job.schedule));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // External: membership
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ITrainingJobs
    function join(uint256 jobId, uint256 stake, bytes calldata peerId, bytes[] calldata addrs)
        external
        nonReentrant
        returns (uint256 index)
    {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireRunning(jobId, schedule);
        Trainer storage trainer = _trainers[jobId][msg.sender];
        TrainerSlot slot = trainer.slot;
        if (_holdsIndex(slot)) revert AlreadyJoined(jobId, msg.sender, slot.index());
        Membership memory membership = job.membership;
        if (stake < membership.minStake) revert StakeTooLow(stake, membership.minStake);
        if (stake > MAX_STAKE) revert StakeTooHigh(stake, MAX_STAKE);
        if (peerId.length == 0) revert EmptyPeerId();
        // Bonding: stake counts only in rounds that begin after it arrived.
        uint256 firstRound = schedule.currentRound();
        if (block.timestamp >= schedule.roundStart()) ++firstRound;
        if (firstRound >= schedule.numRounds()) revert TooLateToJoin(jobId, firstRound, schedule.numRounds());
        uint256 held = job.heldIndices;
        index = _lowestFreeIndex(held);
        if (index >= membership.maxTrainers) revert JobFull(jobId, membership.maxTrainers);

        job.heldIndices = held | (1 << index);
        uint256 weight = _weight(stake, membership);
        trainer.slot = TrainerSlotLib.create(stake, weight, index, uint256(TrainerStatus.Active), firstRound);
        trainer.commitment = EMPTY_SLOT_MARKER;

        emit TrainerJoined(jobId, msg.sender, index, stake, weight, firstRound, peerId, addrs);
        _pullExact(IERC20(job.config.token), msg.sender, stake);
    }

    /// @inheritdoc ITrainingJobs
    function updatePeerInfo(uint256 jobId, bytes calldata peerId, bytes[] calldata addrs) external {
        TrainerSlot slot = _trainers[jobId][msg.sender].slot;
        _requireHoldsIndex(jobId, msg.sender, slot);
        if (peerId.length == 0) revert EmptyPeerId();
        emit PeerInfoUpdated(jobId, msg.sender, slot.index(), peerId, addrs);
    }

    /// @inheritdoc ITrainingJobs
    function leave(uint256 jobId) external {
        Schedule schedule = _jobs[jobId].schedule;
        _requireRunning(jobId, schedule);
        Trainer storage trainer = _trainers[jobId][msg.sender];
        TrainerSlot slot = trainer.slot;
        _requireActive(jobId, slot);
        trainer.slot = slot.withStatus(uint256(TrainerStatus.Left)).withLeftAt(block.timestamp);
        uint256 lastRevealPlusOne = slot.lastRevealPlusOne();
        uint256 unlockRound = lastRevealPlusOne == 0 ? schedule.currentRound() : lastRevealPlusOne + UNBOND_ROUNDS;
        emit TrainerLeft(jobId, msg.sender, slot.index(), unlockRound);
    }

    /// @inheritdoc ITrainingJobs
    function withdraw(uint256 jobId) external nonReentrant returns (uint256 amount) {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireExists(jobId, schedule);
        Trainer storage trainer = _trainers[jobId][msg.sender];
        TrainerSlot slot = trainer.slot;
        _requireHoldsIndex(jobId, msg.sender, slot);
        _unlocked(jobId, msg.sender, schedule, slot, job.membership.claimPeriod, true);

        // Unlocked implies the last reveal's round is final (or the job was cancelled before any on-time reveal).
        slot = _settle(job, jobId, msg.sender, slot);
        // Its last update failed its replay audit: the settlement took the whole stake, nothing is left to withdraw.
        if (_isSlashed(slot)) {
            trainer.slot = slot;
            return 0;
        }
        amount = slot.stake();
        uint256 index = slot.index();
        trainer.slot =
            slot.withStake(0, 0).withPendingRoundPlusOne(0).withStatus(uint256(TrainerStatus.Withdrawn));
        job.heldIndices &= ~(1 << index);
        emit StakeWithdrawn(jobId, msg.sender, index, amount);
        if (amount != 0) IERC20(job.config.token).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ITrainingJobs
    function evict(uint256 jobId, address account) external nonReentrant returns (uint256 amount) {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireRunning(jobId, schedule);
        Trainer storage trainer = _trainers[jobId][account];
        TrainerSlot slot = trainer.slot;
        _requireHoldsIndex(jobId, account, slot);
        uint256 pending = slot.pendingRoundPlusOne();
        if (pending != 0) revert CommitmentPending(jobId, account, pending - 1);
        uint256 evictableFrom = _evictableFrom(slot);
        if (schedule.currentRound() < evictableFrom) revert NotIdle(jobId, account, evictableFrom);

        // Idle since its last reveal's round plus IDLE_ROUNDS (> UNBOND_ROUNDS): that round is final, the stake free.
        // Holding an index idle costs IDLE_BPS, so squatting (join, idle, be evicted, join again) is never free.
        slot = _settle(job, jobId, account, slot);
        if (_isSlashed(slot)) {
            trainer.slot = slot;
            return 0;
        }
        slot = _penalize(job, jobId, schedule.currentRound(), account, slot, IDLE_BPS, PenaltyReason.Idle);
        amount = slot.stake();
        uint256 index = slot.index();
        trainer.slot = slot.withStake(0, 0).withStatus(uint256(TrainerStatus.Withdrawn));
        job.heldIndices &= ~(1 << index);
        emit TrainerEvicted(jobId, account, msg.sender, index, amount);
        if (amount != 0) IERC20(job.config.token).safeTransfer(account, amount);
    }

    /// @inheritdoc ITrainingJobs
    function settle(uint256 jobId, address account) external returns (uint256 penalty) {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireExists(jobId, schedule);
        Trainer storage trainer = _trainers[jobId][account];
        TrainerSlot slot = trainer.slot;
        if (!slot.unsettled()) revert NothingToSettle(jobId, account);
        uint256 round = slot.lastRevealPlusOne() - 1;
        if (round >= schedule.currentRound()) revert RoundNotFinalized(round, schedule.currentRound());
        TrainerSlot settled = _settle(job, jobId, account, slot);
        trainer.slot = settled;
        penalty = slot.stake() - settled.stake();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // External: rounds
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ITrainingJobs
    function commit(uint256 jobId, uint256 round, bytes32 commitment) external {
        Job storage job = _jobs[jobId];
        _requireWindow(jobId, job.schedule, round, Phase.Commit);
        Trainer storage trainer = _trainers[jobId][msg.sender];
        TrainerSlot slot = trainer.slot;
        _requireActive(jobId, slot);
        if (round < slot.firstRound()) revert NotBondedYet(round, slot.firstRound());
        uint256 pending = slot.pendingRoundPlusOne();
        if (pending != 0) {
            if (pending == round + 1) revert AlreadyCommitted(round);
            revert CommitmentPending(jobId, msg.sender, pending - 1);
        }
        // A reveal happens after the commit window of its round, so the last reveal is from a finalized round.
        slot = _settle(job, jobId, msg.sender, slot);
        if (_isSlashed(slot)) {
            // Its last update failed its replay audit: slashed instead of committing (reverting would undo the slash).
            trainer.slot = slot;
            return;
        }
        trainer.slot = slot.withPendingRoundPlusOne(round + 1);
        trainer.commitment = commitment;
        // Counted so that no round is finalized early while a commitment may still be revealed (late).
        job.live = job.live.inRound(round).withCommit();
        emit Committed(jobId, round, msg.sender, commitment);
    }

    /// @inheritdoc ITrainingJobs
    function reveal(uint256 jobId, uint256 round, bytes calldata updateCid, uint256 samples, bytes32 salt) external {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireCurrentRound(jobId, schedule, round);
        uint256 commitEnd = schedule.commitEnd();
        uint256 attestEnd = schedule.attestEnd();
        if (block.timestamp < commitEnd || block.timestamp >= attestEnd) {
            revert OutsideWindow(Phase.Reveal, commitEnd, attestEnd);
        }
        uint256 maxSamples = schedule.maxSamples();
        if (samples == 0 || samples > maxSamples) revert SamplesOutOfRange(samples, maxSamples);
        Trainer storage trainer = _trainers[jobId][msg.sender];
        TrainerSlot slot = trainer.slot;
        if (slot.pendingRoundPlusOne() != round + 1) revert NotCommitted(round);
        CidLib.validate(updateCid);
        {
            bytes32 revealed = _commitment(jobId, round, updateCid, samples, salt, msg.sender);
            bytes32 committed = trainer.commitment;
            if (revealed != committed) revert CommitmentMismatch(committed, revealed);
        }

        if (block.timestamp < schedule.revealEnd()) {
            uint256 weight = slot.weight();
            trainer.slot = slot.withReveal(round);
            _records[jobId][round][msg.sender] = RoundRecordLib.create(samples, weight, slot.index(), false);
            job.live = job.live.inRound(round).withReveal(weight);
            if (!schedule.everRevealed()) job.schedule = schedule.withEverRevealed();
            emit Revealed(jobId, round, msg.sender, slot.index(), updateCid, samples, weight, false, salt);
        } else {
            // Late: the update does not count, the trainer keeps most of its stake instead of losing it all. It is
            // audited all the same, so its stake stays bonded and its settlement checks the round's slash mask.
            slot = _penalize(job, jobId, round, msg.sender, slot, LATE_REVEAL_BPS, PenaltyReason.LateReveal);
            trainer.slot = slot.withReveal(round);
            job.live = job.live.withLateReveal();
            _records[jobId][round][msg.sender] = RoundRecordLib.create(samples, 0, slot.index(), true);
            emit Revealed(jobId, round, msg.sender, slot.index(), updateCid, samples, 0, true, salt);
        }
    }

    /// @inheritdoc ITrainingJobs
    function attest(
        uint256 jobId,
        uint256 round,
        bytes calldata aggregateCid,
        uint256 includedMask,
        uint256 includedSamples,
        uint256 slashMask
    ) external {
        Job storage job = _jobs[jobId];
        {
            Schedule schedule = job.schedule;
            _requireWindow(jobId, schedule, round, Phase.Attest);
            _requireValidInclusion(includedMask, includedSamples, schedule.maxSamples());
        }
        if (includedMask & slashMask != 0) revert InvalidSlashMask(includedMask, slashMask);
        CidLib.validate(aggregateCid);
        RoundRecord record = _records[jobId][round][msg.sender];
        if (record.samples() == 0) revert NotRevealed(round);
        if (record.late()) revert RevealedLate(round);
        if (record.tupleId() != 0) revert AlreadyAttested(round, record.tupleId());

        bytes32 tupleHash = _tupleHash(aggregateCid, includedMask, includedSamples, slashMask);
        Tally tally = _tallies[jobId][round][tupleHash];
        // The caller revealed on time in this round, so the live word is tagged with it.
        LiveRound live = job.live;
        // A tuple slashes at most the drawn updates and the late reveals: a quorum cannot confiscate everyone else.
        if (slashMask != 0 && _popCount(slashMask) > job.membership.auditsPerRound + live.lateCount()) {
            revert InvalidSlashMask(includedMask, slashMask);
        }
        uint256 tupleId = tally.id();
        bool newTuple = tupleId == 0;
        // At most one new tuple per attester, at most 256 attesters: ids fit 9 bits.
        if (newTuple) tupleId = live.tupleCount() + 1;
        uint256 weight = record.weight();
        uint256 tupleWeight = tally.weight() + weight;
        uint256 index = record.index();
        _tallies[jobId][round][tupleHash] = TallyLib.create(tupleWeight, tupleId);
        _records[jobId][round][msg.sender] = record.withAttestation(tupleId, (includedMask >> index) & 1 == 1);
        live = live.withAttestation(weight, tupleId, tupleWeight, newTuple);
        job.live = live;
        emit Attested(
            jobId,
            round,
            msg.sender,
            index,
            aggregateCid,
            includedMask,
            includedSamples,
            slashMask,
            tupleId,
            tupleWeight,
            live.leaderId()
        );
    }

    /// @inheritdoc ITrainingJobs
    function finalize(
        uint256 jobId,
        uint256 round,
        bytes calldata aggregateCid,
        uint256 includedMask,
        uint256 includedSamples,
        uint256 slashMask
    ) external {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireCurrentRound(jobId, schedule, round);
        LiveRound live = job.live.inRound(round);
        bool early;
        {
            uint256 attestEnd = schedule.attestEnd();
            early = block.timestamp < attestEnd;
            if (early && !_outcomeFixed(live, schedule)) revert FinalizeTooEarly(round, attestEnd);
        }
        uint256 leaderId = live.leaderId();
        if (leaderId != 0) {
            uint256 givenId =
                _tallies[jobId][round][_tupleHash(aggregateCid, includedMask, includedSamples, slashMask)].id();
            if (givenId != leaderId) revert NotLeadingTuple(round, givenId, leaderId);
        }
        bool succeeded = leaderId != 0 && live.leaderWeight() * BPS >= schedule.quorumBps() * live.attestedWeight()
            && live.attestedWeight() * BPS >= schedule.participationBps() * live.revealedWeight();

        uint256 reward = succeeded ? _takeReward(job, jobId, round, aggregateCid) : _rollOver(job);
        bool majority = live.leaderWeight() * 2 > live.attestedWeight();
        _outcomes[jobId][round] = RoundOutcomeLib.create(
            reward,
            succeeded ? includedSamples : 0,
            leaderId,
            uint256(succeeded ? RoundStatus.Succeeded : RoundStatus.Failed),
            early,
            majority
        );
        if (succeeded) schedule = schedule.withLastSuccessPlusOne(round + 1);
        // The leader's slash mask applies when it won, or held a majority of the attested weight in a failed round:
        // a caught cheater cannot escape by making the round fail (silence or a rival tuple).
        if (!succeeded && !majority) slashMask = 0;
        if (slashMask != 0) _slashMasks[jobId][round] = slashMask;
        schedule = schedule.startRound(round + 1, block.timestamp);
        job.schedule = schedule;
        _emitFinalized(
            job, jobId, round, schedule, live, succeeded, early, reward, aggregateCid, includedMask, includedSamples, slashMask
        );
    }

    /// @inheritdoc ITrainingJobs
    function claim(uint256 jobId, uint256[] calldata rounds) external nonReentrant returns (uint256 amount) {
        uint256 count = rounds.length;
        if (count == 0) revert NoRoundsGiven();
        address token = _jobs[jobId].config.token;
        if (token == address(0)) revert JobNotFound(jobId);
        for (uint256 i; i < count; ++i) {
            amount += _claimRound(jobId, rounds[i]);
        }
        if (amount != 0) IERC20(token).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ITrainingJobs
    function sweep(uint256 jobId, uint256 round) external returns (uint256 amount) {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireExists(jobId, schedule);
        RoundOutcome outcome = _outcomes[jobId][round];
        uint256 status = outcome.status();
        if (status == uint256(RoundStatus.Pending)) revert RoundNotFinalized(round, schedule.currentRound());
        if (status != uint256(RoundStatus.Succeeded) || outcome.swept()) revert NothingToSweep(round);
        uint256 openUntilRound = round + CLAIM_ROUNDS + 1;
        if (schedule.currentRound() < openUntilRound) {
            // A successful round means the job was not cancelled; after its end the claim period applies.
            uint256 openUntilTime = schedule.hasEnded() ? schedule.roundStart() + job.membership.claimPeriod : 0;
            if (openUntilTime == 0 || block.timestamp < openUntilTime) {
                revert ClaimsStillOpen(round, openUntilRound, openUntilTime);
            }
        }
        uint256 reward = outcome.reward();
        amount = reward - outcome.paid();
        _outcomes[jobId][round] = outcome.withSwept();
        // The unclaimed rest goes back where it came from, pro rata: forfeited stake to the forfeits (rounded up, so
        // not a unit of it reaches the sponsor), the rest to the carry.
        uint256 toForfeits = Math.mulDiv(amount, _forfeitParts[jobId][round], reward, Math.Rounding.Ceil);
        if (amount != 0) {
            Funds funds = job.funds;
            job.funds = funds.withCarry(funds.carry() + amount - toForfeits).withForfeits(funds.forfeits() + toForfeits);
        }
        emit RewardSwept(jobId, round, amount, toForfeits);
    }

    /// @inheritdoc ITrainingJobs
    function slash(uint256 jobId, uint256 round, address account) external {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireExists(jobId, schedule);
        if (schedule.status() == STATUS_CANCELLED) revert JobIsCancelled(jobId);
        Trainer storage slashed = _trainers[jobId][account];
        TrainerSlot slot = slashed.slot;
        uint256 pending = slot.pendingRoundPlusOne();
        if (pending != 0 && pending - 1 == round) {
            // A pending commitment is from the current round or an earlier, finalized one (whose windows are over).
            if (round == schedule.currentRound()) {
                uint256 allowedAt = schedule.attestEnd();
                if (block.timestamp < allowedAt) revert SlashTooEarly(round, allowedAt);
            }
        } else if (!slot.unsettled() || slot.lastRevealPlusOne() != round + 1 || !_failedAudit(jobId, round, account)) {
            // Not a replay mismatch awaiting settlement either (a settled one was slashed at its settlement).
            revert NothingToSlash(jobId, round, account);
        }
        slashed.slot = _slashAll(job, jobId, round, account, slot);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // External: views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ITrainingJobs
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc ITrainingJobs
    function jobCount() external view returns (uint256) {
        return _jobCount;
    }

    /// @inheritdoc ITrainingJobs
    function getJob(uint256 jobId) external view returns (JobParams memory params, JobState memory state) {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireExists(jobId, schedule);
        Membership memory membership = job.membership;
        Funds funds = job.funds;
        uint256 rewardPerRound = job.config.rewardPerRound;

        params.datasetId = job.datasetId;
        params.baseModelId = job.baseModelId;
        params.baseModelCid = job.baseModelCid;
        params.specCid = job.specCid;
        params.token = job.config.token;
        params.rewardPool = rewardPerRound * schedule.numRounds();
        params.rewardPerRound = rewardPerRound;
        params.minStake = membership.minStake;
        // Bounds: every value below was stored from a parameter of the same width or narrower.
        params.numRounds = uint32(schedule.numRounds());
        params.commitWindow = uint32(schedule.commitWindow());
        params.revealWindow = uint32(schedule.revealWindow());
        params.attestWindow = uint32(schedule.attestWindow());
        params.claimPeriod = membership.claimPeriod;
        params.quorumBps = uint16(schedule.quorumBps());
        params.participationBps = uint16(schedule.participationBps());
        params.weightCap = membership.weightCap;
        params.maxTrainers = membership.maxTrainers;
        params.maxSamples = uint32(schedule.maxSamples());
        params.startTime = membership.startTime;
        params.auditsPerRound = membership.auditsPerRound;

        bool cancelled = schedule.status() == STATUS_CANCELLED;
        state.sponsor = job.sponsor;
        state.status = _jobStatus(schedule);
        state.trainerCount = _popCount(job.heldIndices);
        state.currentRound = schedule.currentRound();
        state.carry = funds.carry();
        state.forfeits = funds.forfeits();
        if (!cancelled) state.unpaidPool = rewardPerRound * (schedule.numRounds() - state.currentRound) + state.carry;
        state.trained = schedule.lastSuccessPlusOne() != 0;
        if (state.trained) state.lastSuccessfulRound = schedule.lastSuccessPlusOne() - 1;
        state.everRevealed = schedule.everRevealed();
        if (!cancelled && schedule.hasEnded()) state.endedAt = schedule.roundStart();
        state.resultAssetId = job.resultAssetId;
    }

    /// @inheritdoc ITrainingJobs
    function getRound(uint256 jobId) external view returns (RoundState memory state) {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireExists(jobId, schedule);
        state.round = schedule.currentRound();
        LiveRound live = job.live.inRound(state.round);
        state.start = schedule.roundStart();
        state.commitEnd = schedule.commitEnd();
        state.revealEnd = schedule.revealEnd();
        state.attestEnd = schedule.attestEnd();
        state.committedCount = live.committedCount();
        state.revealedCount = live.revealedCount();
        state.lateRevealCount = live.lateCount();
        state.attestedCount = live.attestedCount();
        state.revealedWeight = live.revealedWeight();
        state.attestedWeight = live.attestedWeight();
        state.leaderWeight = live.leaderWeight();
        state.leaderTupleId = live.leaderId();
        state.tupleCount = live.tupleCount();
        if (schedule.status() == STATUS_CANCELLED) state.phase = Phase.Cancelled;
        else if (schedule.hasEnded()) state.phase = Phase.Ended;
        else if (block.timestamp < state.start) state.phase = Phase.Scheduled;
        else if (block.timestamp < state.commitEnd) state.phase = Phase.Commit;
        else if (block.timestamp < state.revealEnd) state.phase = Phase.Reveal;
        else if (block.timestamp < state.attestEnd) state.phase = Phase.Attest;
        else state.phase = Phase.Finalize;
        state.finalizable =
            state.phase == Phase.Finalize || (state.phase == Phase.Attest && _outcomeFixed(live, schedule));
        if (state.phase != Phase.Ended && state.phase != Phase.Cancelled) {
            state.seed = seedOf(address(this), jobId, state.round, _currentModelCid(job, schedule));
        }
    }

    /// @inheritdoc ITrainingJobs
    function getTrainer(uint256 jobId, address account) external view returns (TrainerState memory state) {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        TrainerSlot slot = _trainers[jobId][account].slot;
        state.status = TrainerStatus(slot.status());
        state.index = slot.index();
        state.stake = slot.stake();
        state.weight = slot.weight();
        state.firstRound = slot.firstRound();
        uint256 pending = slot.pendingRoundPlusOne();
        state.hasPendingCommit = pending != 0;
        if (pending != 0) state.pendingRound = pending - 1;
        state.hasUnsettledReveal = slot.unsettled();
        uint256 lastRevealPlusOne = slot.lastRevealPlusOne();
        state.hasRevealed = lastRevealPlusOne != 0;
        if (state.hasRevealed) state.lastRevealRound = lastRevealPlusOne - 1;
        state.leftAt = slot.leftAt();
        if (_holdsIndex(slot) && schedule.status() != 0) {
            state.canWithdraw = _unlocked(jobId, account, schedule, slot, job.membership.claimPeriod, false);
            state.evictable = schedule.status() != STATUS_CANCELLED && !schedule.hasEnded() && pending == 0
                && schedule.currentRound() >= _evictableFrom(slot);
        }
    }

    /// @inheritdoc ITrainingJobs
    function getTrainerRound(uint256 jobId, uint256 round, address account)
        external
        view
        returns (TrainerRound memory state)
    {
        RoundRecord record = _records[jobId][round][account];
        state.revealed = record.samples() != 0;
        state.late = record.late();
        state.samples = record.samples();
        state.weight = record.weight();
        state.attestedTupleId = record.tupleId();
        state.included = record.included();
        state.claimed = record.claimed();
    }

    /// @inheritdoc ITrainingJobs
    function getRoundResult(uint256 jobId, uint256 round) external view returns (RoundResult memory result) {
        _requireExists(jobId, _jobs[jobId].schedule);
        RoundOutcome outcome = _outcomes[jobId][round];
        result.status = RoundStatus(outcome.status());
        result.leaderTupleId = outcome.leaderId();
        result.includedSamples = outcome.includedSamples();
        result.reward = outcome.reward();
        result.paid = outcome.paid();
        result.swept = outcome.swept();
        result.finalizedEarly = outcome.early();
        result.leaderMajority = outcome.majority();
        result.slashMask = _slashMasks[jobId][round];
    }

    /// @inheritdoc ITrainingJobs
    function currentModel(uint256 jobId) external view returns (bytes memory cid, bool trained, uint256 round) {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireExists(jobId, schedule);
        uint256 lastSuccessPlusOne = schedule.lastSuccessPlusOne();
        trained = lastSuccessPlusOne != 0;
        if (trained) round = lastSuccessPlusOne - 1;
        cid = _currentModelCid(job, schedule);
    }

    /// @inheritdoc ITrainingJobs
    function getTuple(uint256 jobId, uint256 round, bytes32 tupleHash)
        external
        view
        returns (uint256 tupleId, uint256 weight)
    {
        Tally tally = _tallies[jobId][round][tupleHash];
        return (tally.id(), tally.weight());
    }

    /// @inheritdoc ITrainingJobs
    function computeCommitment(
        uint256 jobId,
        uint256 round,
        bytes calldata updateCid,
        uint256 samples,
        bytes32 salt,
        address trainer
    ) external view returns (bytes32) {
        return _commitment(jobId, round, updateCid, samples, salt, trainer);
    }

    /// @inheritdoc ITrainingJobs
    function computeTupleHash(bytes calldata aggregateCid, uint256 includedMask, uint256 includedSamples, uint256 slashMask)
        external
        pure
        returns (bytes32)
    {
        return _tupleHash(aggregateCid, includedMask, includedSamples, slashMask);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Private: rounds and settlement
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev A successful round's reward: `rewardPerRound + carry + forfeits`, kept below 2^100 (its field; whatever
    ///      exceeds it waits in the carry and forfeits). Records the forfeits' part and stores the new model's CID.
    function _takeReward(Job storage job, uint256 jobId, uint256 round, bytes calldata aggregateCid)
        private
        returns (uint256 reward)
    {
        Funds funds = job.funds;
        reward = job.config.rewardPerRound;
        uint256 fromCarry = Math.min(funds.carry(), MAX_ROUND_REWARD - reward);
        uint256 fromForfeits = Math.min(funds.forfeits(), MAX_ROUND_REWARD - reward - fromCarry);
        reward += fromCarry + fromForfeits;
        if (fromForfeits != 0) _forfeitParts[jobId][round] = fromForfeits;
        (uint8 cidLength, bytes5 cidHead, bytes32 cidTail) = CidLib.pack(aggregateCid);
        if (cidLength == 0) job.longModelCid = aggregateCid;
        else job.modelCidTail = cidTail;
        job.funds = funds.withCarry(funds.carry() - fromCarry).withForfeits(funds.forfeits() - fromForfeits).withModelCid(
            cidHead, cidLength
        );
    }

    /// @dev A failed round: its reward rolls over into the carry (the forfeits wait for the next success). Returns 0,
    ///      what the round pays.
    function _rollOver(Job storage job) private returns (uint256) {
        Funds funds = job.funds;
        job.funds = funds.withCarry(funds.carry() + job.config.rewardPerRound);
        return 0;
    }

    function _emitFinalized(
        Job storage job,
        uint256 jobId,
        uint256 round,
        Schedule schedule,
        LiveRound live,
        bool succeeded,
        bool early,
        uint256 reward,
        bytes calldata aggregateCid,
        uint256 includedMask,
        uint256 includedSamples,
        uint256 slashMask
    ) private {
        Funds funds = job.funds;
        bytes32 nextSeed;
        uint256 nextRoundStart;
        if (round + 1 < schedule.numRounds()) {
            nextSeed = seedOf(address(this), jobId, round + 1, succeeded ? aggregateCid : _currentModelCid(job, schedule));
            nextRoundStart = block.timestamp;
        }
        emit RoundFinalized(
            jobId,
            round,
            succeeded,
            succeeded ? aggregateCid : new bytes(0),
            succeeded ? includedMask : 0,
            succeeded ? includedSamples : 0,
            slashMask,
            live.leaderId(),
            reward,
            funds.carry(),
            funds.forfeits(),
            early,
            nextSeed,
            nextRoundStart
        );
    }

    /// @dev Pays one round of `claim`, O(1): two slot reads and two writes. Each claim pays
    ///      `reward * samples / includedSamples` rounded down, whatever the order; the round never pays above `reward`.
    function _claimRound(uint256 jobId, uint256 round) private returns (uint256 amount) {
        RoundOutcome outcome = _outcomes[jobId][round];
        uint256 status = outcome.status();
        if (status != uint256(RoundStatus.Succeeded)) {
            if (status == uint256(RoundStatus.Pending)) {
                revert RoundNotFinalized(round, _jobs[jobId].schedule.currentRound());
            }
            revert RoundFailed(round);
        }
        if (outcome.swept()) revert ClaimsClosed(round);
        mapping(address => RoundRecord) storage records = _records[jobId][round];
        RoundRecord record = records[msg.sender];
        uint256 tupleId = record.tupleId();
        if (tupleId == 0) revert NotAttested(round);
        if (tupleId != outcome.leaderId()) revert AttestedLosingTuple(round, tupleId, outcome.leaderId());
        if (!record.included()) revert NotIncluded(round, record.index());
        if (record.claimed()) revert AlreadyClaimed(round);
        uint256 samples = record.samples();
        uint256 reward = outcome.reward();
        amount = reward * samples / outcome.includedSamples();
        uint256 paidAfter = outcome.paid() + amount;
        if (paidAfter > reward) revert ClaimExceedsReward(round, paidAfter, reward);
        records[msg.sender] = record.withClaimed();
        _outcomes[jobId][round] = outcome.withPaid(paidAfter);
        emit RewardClaimed(jobId, round, msg.sender, amount, samples);
    }

    /// @dev Takes the penalty the trainer's last reveal earned, if it is unsettled: the whole stake (status Slashed)
    ///      when the round's winning tuple names it in its slash mask; for an on-time reveal SILENT_BPS when it did not
    ///      attest in a round whose attest window ran out, LOSING_BPS when it attested another tuple than the winner
    ///      of a successful round, or than the leader of a failed round whose leader held more than half of the
    ///      attested weight (a minority attesting junk cannot block rounds for free). The caller guarantees that round
    ///      is final and writes the returned slot.
    function _settle(Job storage job, uint256 jobId, address account, TrainerSlot slot)
        private
        returns (TrainerSlot)
    {
        if (!slot.unsettled()) return slot;
        uint256 round = slot.lastRevealPlusOne() - 1;
        if (_failedAudit(jobId, round, account)) return _slashAll(job, jobId, round, account, slot);
        slot = slot.withSettled();
        RoundOutcome outcome = _outcomes[jobId][round];
        RoundRecord record = _records[jobId][round][account];
        // A late reveal paid LATE_REVEAL_BPS already and could not attest.
        if (record.late()) return slot;
        uint256 tupleId = record.tupleId();
        if (tupleId == 0) {
            if (outcome.early()) return slot;
            return _penalize(job, jobId, round, account, slot, SILENT_BPS, PenaltyReason.Silent);
        }
        bool decided = outcome.status() == uint256(RoundStatus.Succeeded) || outcome.majority();
        if (decided && tupleId != outcome.leaderId()) {
            return _penalize(job, jobId, round, account, slot, LOSING_BPS, PenaltyReason.LosingTuple);
        }
        return slot;
    }

    function _isSlashed(TrainerSlot slot) private pure returns (bool) {
        return slot.status() == uint256(TrainerStatus.Slashed);
    }

    /// @dev Whether the slash mask `round` applied (its winner's, or a failed round's majority leader's) names the
    ///      trainer's update of `round`.
    function _failedAudit(uint256 jobId, uint256 round, address account) private view returns (bool) {
        uint256 slashMask = _slashMasks[jobId][round];
        if (slashMask == 0) return false;
        RoundRecord record = _records[jobId][round][account];
        return record.samples() != 0 && (slashMask >> record.index()) & 1 == 1;
    }

    /// @dev Takes the whole stake to the forfeits, frees the index and marks the trainer Slashed (settled, nothing
    ///      pending); returns the slot for the caller to write.
    function _slashAll(Job storage job, uint256 jobId, uint256 round, address account, TrainerSlot slot)
        private
        returns (TrainerSlot)
    {
        uint256 stake = slot.stake();
        uint256 index = slot.index();
        job.heldIndices &= ~(1 << index);
        job.funds = job.funds.withForfeits(job.funds.forfeits() + stake);
        emit TrainerSlashed(jobId, round, account, msg.sender, index, stake);
        return slot.withStake(0, 0).withPendingRoundPlusOne(0).withSettled().withStatus(uint256(TrainerStatus.Slashed));
    }

    /// @dev Moves `bps` of the trainer's stake to the forfeits and recomputes its weight; returns the new slot.
    function _penalize(
        Job storage job,
        uint256 jobId,
        uint256 round,
        address account,
        TrainerSlot slot,
        uint256 bps,
        PenaltyReason reason
    ) private returns (TrainerSlot) {
        uint256 stake = slot.stake();
        uint256 penalty = Math.mulDiv(stake, bps, BPS, Math.Rounding.Ceil);
        if (penalty == 0) return slot;
        stake -= penalty;
        job.funds = job.funds.withForfeits(job.funds.forfeits() + penalty);
        emit TrainerPenalized(jobId, round, account, reason, penalty);
        return slot.withStake(stake, _weight(stake, job.membership));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Private: checks and helpers
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev An attested tuple includes someone, and at least one and at most `maxSamples` samples per included trainer.
    function _requireValidInclusion(uint256 includedMask, uint256 includedSamples, uint256 maxSamples) private pure {
        uint256 includedCount = _popCount(includedMask);
        if (includedCount == 0 || includedSamples < includedCount || includedSamples > includedCount * maxSamples) {
            revert InvalidInclusion(includedMask, includedSamples);
        }
    }

    /// @dev Pulls exactly `amount` or reverts (fee-on-transfer tokens would break the accounting).
    function _pullExact(IERC20 token, address from, uint256 amount) private {
        if (amount == 0) return;
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert TransferAmountMismatch(address(token), amount, received);
    }

    function _requireExists(uint256 jobId, Schedule schedule) private pure {
        if (schedule.status() == 0) revert JobNotFound(jobId);
    }

    function _requireRunning(uint256 jobId, Schedule schedule) private pure {
        _requireExists(jobId, schedule);
        if (schedule.status() == STATUS_CANCELLED) revert JobIsCancelled(jobId);
        if (schedule.hasEnded()) revert JobHasEnded(jobId);
    }

    function _requireCurrentRound(uint256 jobId, Schedule schedule, uint256 round) private pure {
        _requireRunning(jobId, schedule);
        if (round != schedule.currentRound()) revert WrongRound(round, schedule.currentRound());
    }

    /// @dev Reverts unless `round` is the running job's current round and the clock is inside `phase`'s window.
    function _requireWindow(uint256 jobId, Schedule schedule, uint256 round, Phase phase) private view {
        _requireCurrentRound(jobId, schedule, round);
        uint256 opensAt = schedule.roundStart();
        uint256 closesAt = schedule.commitEnd();
        if (phase != Phase.Commit) {
            opensAt = schedule.revealEnd();
            closesAt = schedule.attestEnd();
        }
        if (block.timestamp < opensAt || block.timestamp >= closesAt) revert OutsideWindow(phase, opensAt, closesAt);
    }

    function _holdsIndex(TrainerSlot slot) private pure returns (bool) {
        uint256 status = slot.status();
        return status == uint256(TrainerStatus.Active) || status == uint256(TrainerStatus.Left);
    }

    function _requireHoldsIndex(uint256 jobId, address account, TrainerSlot slot) private pure {
        if (_holdsIndex(slot)) return;
        TrainerStatus status = TrainerStatus(slot.status());
        if (status == TrainerStatus.None) revert NotATrainer(jobId, account);
        revert TrainerNotActive(jobId, account, status);
    }

    function _requireActive(uint256 jobId, TrainerSlot slot) private view {
        TrainerStatus status = TrainerStatus(slot.status());
        if (status == TrainerStatus.Active) return;
        if (status == TrainerStatus.None) revert NotATrainer(jobId, msg.sender);
        revert TrainerNotActive(jobId, msg.sender, status);
    }

    /// @dev Whether the trainer's stake may leave now; with `strict`, reverts with the reason when it may not.
    function _unlocked(
        uint256 jobId,
        address account,
        Schedule schedule,
        TrainerSlot slot,
        uint256 claimPeriod,
        bool strict
    ) private view returns (bool) {
        if (schedule.status() == STATUS_CANCELLED) return true;
        uint256 pending = slot.pendingRoundPlusOne();
        if (pending != 0) {
            if (strict) revert CommitmentPending(jobId, account, pending - 1);
            return false;
        }
        bool ended = schedule.hasEnded();
        // After the end, roundStart is the time of the last finalization.
        uint256 unlocksAt = schedule.roundStart() + claimPeriod;
        if (ended && block.timestamp >= unlocksAt) return true;
        if (slot.status() == uint256(TrainerStatus.Left) || ended) {
            uint256 lastRevealPlusOne = slot.lastRevealPlusOne();
            uint256 unlockRound = lastRevealPlusOne == 0 ? 0 : lastRevealPlusOne + UNBOND_ROUNDS;
            if (schedule.currentRound() >= unlockRound) return true;
            if (!strict) return false;
            if (ended) revert ClaimPeriodNotOver(jobId, unlocksAt);
            revert StakeBonded(jobId, account, unlockRound);
        }
        if (strict) revert StakeLocked(jobId, account);
        return false;
    }

    /// @dev The round from which an idle trainer may be evicted: IDLE_ROUNDS after its first round or its last
    ///      on-time reveal's round, whichever is later.
    function _evictableFrom(TrainerSlot slot) private pure returns (uint256) {
        return Math.max(slot.firstRound(), slot.lastRevealPlusOne()) + IDLE_ROUNDS;
    }

    /// @dev Early finalization: after the reveal window, once every commitment has been revealed (on time or late: a
    ///      trainer that has not revealed yet keeps its grace until the attest window ends) and the outcome cannot
    ///      change: everyone who revealed on time attested (at once when nobody committed), or the leader holds both the
    ///      quorum and the participation floor of the whole revealed weight (whatever the rest attests, it stays the
    ///      leader and wins).
    function _outcomeFixed(LiveRound live, Schedule schedule) private view returns (bool) {
        if (block.timestamp < schedule.revealEnd() || !live.allRevealed()) return false;
        uint256 revealed = live.revealedWeight();
        if (live.attestedWeight() == revealed) return true;
        uint256 needed = Math.max(schedule.quorumBps(), schedule.participationBps()) * revealed;
        return live.leaderId() != 0 && live.leaderWeight() * BPS >= needed;
    }

    function _jobStatus(Schedule schedule) private view returns (JobStatus) {
        if (schedule.status() == STATUS_CANCELLED) return JobStatus.Cancelled;
        if (schedule.hasEnded()) return JobStatus.Ended;
        if (schedule.currentRound() == 0 && block.timestamp < schedule.roundStart()) return JobStatus.Scheduled;
        return JobStatus.Running;
    }

    /// @dev Quorum weight of `stake`: `min(stake / minStake, weightCap)` in units of 2^-16 minimum stakes (below 2^32).
    function _weight(uint256 stake, Membership memory membership) private pure returns (uint256) {
        return Math.min(stake * WEIGHT_UNIT / membership.minStake, uint256(membership.weightCap) * WEIGHT_UNIT);
    }

    /// @dev The lowest index not held (256 when all are).
    function _lowestFreeIndex(uint256 held) private pure returns (uint256) {
        uint256 free = ~held;
        if (free == 0) return MAX_TRAINERS;
        unchecked {
            return Math.log2(free & (0 - free));
        }
    }

    /// @dev The global model now: the last successful aggregate, or the base model.
    function _currentModelCid(Job storage job, Schedule schedule) private view returns (bytes memory) {
        if (schedule.lastSuccessPlusOne() == 0) return job.baseModelCid;
        Funds funds = job.funds;
        uint8 cidLength = funds.modelCidLength();
        if (cidLength == 0) return job.longModelCid;
        return CidLib.unpack(cidLength, funds.modelCidHead(), job.modelCidTail);
    }

    function _commitment(
        uint256 jobId,
        uint256 round,
        bytes calldata updateCid,
        uint256 samples,
        bytes32 salt,
        address trainer
    ) private view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), jobId, round, updateCid, samples, salt, trainer));
    }

    function _tupleHash(bytes calldata aggregateCid, uint256 includedMask, uint256 includedSamples, uint256 slashMask)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(aggregateCid, includedMask, includedSamples, slashMask));
    }

    /// @dev Number of set bits (SWAR: pairs, nibbles, bytes, 16-bit lanes, then one multiplication sums the lanes).
    function _popCount(uint256 x) private pure returns (uint256) {
        unchecked {
            x -= (x >> 1) & 0x5555555555555555555555555555555555555555555555555555555555555555;
            x = (x & 0x3333333333333333333333333333333333333333333333333333333333333333)
                + ((x >> 2) & 0x3333333333333333333333333333333333333333333333333333333333333333);
            x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
            x = (x + (x >> 8)) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
            // Each 16-bit lane holds at most 16, so the top lane of the product (the sum, at most 256) cannot overflow.
            return (x * 0x0001000100010001000100010001000100010001000100010001000100010001) >> 240;
        }
    }
}
