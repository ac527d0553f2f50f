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
    Phase,
    RoundResult,
    RoundState,
    RoundStatus,
    TrainerRound,
    TrainerState,
    TrainerStatus
} from "../types/Training.sol";
import {
    LiveRound,
    LiveRoundLib,
    ResultHead,
    ResultHeadLib,
    RoundRecord,
    RoundRecordLib,
    Schedule,
    ScheduleLib,
    Settlement,
    SettlementLib,
    Tally,
    TallyLib,
    TrainerSlot,
    TrainerSlotLib
} from "../types/TrainingSlots.sol";

/// @title TrainingJobs
/// @notice Staked, coordinator-free training rounds with rewards. The protocol is specified in ITrainingJobs.
/// @dev Gas layout. Per-round calls touch a handful of slots, most of them reused from round to round so that they are
///      written nonzero -> nonzero (2,900 gas after the cold read) rather than zero -> nonzero (20,000):
///      - `Job.schedule` (Schedule, one word): the clock and limits every round call checks.
///      - `Job.live` (LiveRound, one word): the current round's tallies, reset to a nonzero marker at finalization.
///      - `Job.settlement`, `Job.seed`, `Job.winnerCidTail`: written at finalization / by the quorum attestation.
///      - `Trainer` (TrainerSlot + commitment, two words written at join): stake, index, status, pending commitment.
///      Fresh slots per round: one RoundRecord per revealing trainer (written at reveal, updated at attest and claim),
///      one Tally per distinct attested tuple, and the round Result: the winning mask, written by the attestation that
///      reaches the quorum (it holds the mask in calldata), and the ResultHead and CID tail, written at finalization.
///      Update CIDs live in events only; the winning aggregate CID is stored packed (CidLib.pack: a 5-byte head beside
///      other fields plus a 32-byte tail), or whole when it is longer than 37 bytes.
contract TrainingJobs is ITrainingJobs, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------------------------------
    // Constants
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ITrainingJobs
    uint256 public constant SLASH_CALLER_BPS = 1_000;
    /// @inheritdoc ITrainingJobs
    uint256 public constant MAX_TRAINERS = 256;
    /// @inheritdoc ITrainingJobs
    uint256 public constant MAX_STAKE = type(uint88).max;
    /// @inheritdoc ITrainingJobs
    uint256 public constant MAX_REWARD_POOL = type(uint96).max;

    uint256 private constant BPS = 10_000;
    uint256 private constant STATUS_CREATED = 1;
    uint256 private constant STATUS_CANCELLED = 2;
    /// @inheritdoc ITrainingJobs
    uint256 public constant MAX_ROUNDS = type(uint24).max;
    /// @dev Written into a new trainer's commitment slot so that its first commit writes nonzero -> nonzero.
    bytes32 private constant EMPTY_SLOT_MARKER = bytes32(uint256(1));

    // ---------------------------------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev One slot, read and written by `join`.
    struct Membership {
        address stakeToken;
        uint16 trainerCount;
        uint16 maxTrainers;
        uint64 startTime;
    }

    struct Job {
        Schedule schedule;
        LiveRound live;
        Settlement settlement;
        /// @dev Scratch written by the attestation that reaches the quorum, copied into the result by `finalize`: the
        ///      last 32 bytes of the winning CID and the winning mask.
        bytes32 winnerCidTail;
        uint256 winnerMask;
        Membership membership;
        address sponsor;
        uint96 forfeitedStake;
        address rewardToken;
        uint96 minStake;
        uint256 datasetId;
        uint256 baseModelId;
        uint256 resultAssetId;
        bytes baseModelCid;
        bytes specCid;
    }

    struct Trainer {
        TrainerSlot slot;
        bytes32 commitment;
    }

    /// @dev A successful round. `head` and `cidTail` are written at finalization, `includedMask` by the attestation
    ///      that reached the quorum. `head.cidLength() == 0` means the CID did not pack: see `_longCids`.
    struct Result {
        ResultHead head;
        bytes32 cidTail;
        uint256 includedMask;
    }

    /// @dev What `_tally` tells `attest` (memory only).
    struct Attestation {
        uint256 index;
        uint256 tupleId;
        uint256 tupleStake;
        bool quorumReached;
        LiveRound live;
    }

    IAssetRegistry private immutable _registry;

    uint256 private _jobCount;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint256 jobId => mapping(address trainer => Trainer)) private _trainers;
    mapping(uint256 jobId => mapping(uint256 round => mapping(address trainer => RoundRecord))) private _records;
    mapping(uint256 jobId => mapping(uint256 round => mapping(bytes32 tupleHash => Tally))) private _tallies;
    mapping(uint256 jobId => mapping(uint256 round => Result)) private _results;
    mapping(uint256 jobId => mapping(uint256 round => bytes cid)) private _longCids;

    // ---------------------------------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------------------------------

    /// @param registry_ The AssetRegistry datasets and base models are checked against and results are minted in.
    constructor(IAssetRegistry registry_) {
        _registry = registry_;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // External: sponsor
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ITrainingJobs
    function createJob(JobParams calldata params) external nonReentrant returns (uint256 jobId) {
        _validateParams(params);
        jobId = ++_jobCount;
        Job storage job = _jobs[jobId];
        job.schedule = ScheduleLib.create(
            params.startTime,
            params.numRounds,
            params.commitWindow,
            params.revealWindow,
            params.attestWindow,
            params.quorumBps,
            STATUS_CREATED,
            params.maxSamples
        );
        job.live = LiveRoundLib.UNUSED;
        // Bounds: rewardPerRound <= rewardPool <= MAX_REWARD_POOL (checked in _validateParams).
        job.settlement = SettlementLib.create(0, params.rewardPerRound);
        job.winnerCidTail = EMPTY_SLOT_MARKER;
        job.winnerMask = uint256(EMPTY_SLOT_MARKER);
        job.membership = Membership({
            stakeToken: params.stakeToken,
            trainerCount: 0,
            maxTrainers: params.maxTrainers,
            startTime: params.startTime
        });
        job.sponsor = msg.sender;
        job.rewardToken = params.rewardToken;
        // Bounds: minStake <= MAX_STAKE < 2^88.
        job.minStake = uint96(params.minStake);
        job.datasetId = params.datasetId;
        job.baseModelId = params.baseModelId;
        job.baseModelCid = params.baseModelCid;
        job.specCid = params.specCid;

        emit JobCreated(jobId, msg.sender, params.datasetId, params, _seed(jobId, 0, params.baseModelCid));
        _pullExact(IERC20(params.rewardToken), msg.sender, params.rewardPool);
    }

    /// @inheritdoc ITrainingJobs
    function cancelJob(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireExists(jobId, schedule);
        if (schedule.status() == STATUS_CANCELLED) revert JobIsCancelled(jobId);
        address sponsor = job.sponsor;
        if (msg.sender != sponsor) revert NotSponsor(msg.sender, sponsor);
        // Round 0 cannot be finalized before it starts, so roundStart is still the start time.
        if (block.timestamp >= schedule.roundStart()) revert JobAlreadyStarted(jobId, schedule.roundStart());

        // Nothing can be paid, rolled over or slashed before round 0 starts: the pool is intact.
        uint256 refund = job.settlement.rewardPerRound() * schedule.numRounds();
        job.schedule = schedule.withStatus(STATUS_CANCELLED);
        emit JobCancelled(jobId, sponsor, refund);
        if (refund != 0) IERC20(job.rewardToken).safeTransfer(sponsor, refund);
    }

    /// @inheritdoc ITrainingJobs
    function refundRemainder(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireExists(jobId, schedule);
        if (!_isOver(schedule)) revert JobNotEnded(jobId, schedule.currentRound(), schedule.numRounds());
        Settlement settlement = job.settlement;
        uint256 carry = settlement.carry();
        uint256 forfeited = job.forfeitedStake;
        if (carry == 0 && forfeited == 0) revert NothingToRefund(jobId);
        job.settlement = settlement.withCarry(0);
        job.forfeitedStake = 0;
        address sponsor = job.sponsor;

        emit RemainderRefunded(jobId, sponsor, carry, forfeited);
        if (carry != 0) IERC20(job.rewardToken).safeTransfer(sponsor, carry);
        if (forfeited != 0) IERC20(job.membership.stakeToken).safeTransfer(sponsor, forfeited);
    }

    /// @inheritdoc ITrainingJobs
    function publishResult(uint256 jobId) external nonReentrant returns (uint256 modelAssetId) {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireExists(jobId, schedule);
        if (schedule.status() == STATUS_CANCELLED) revert JobIsCancelled(jobId);
        if (!schedule.hasEnded()) revert JobNotEnded(jobId, schedule.currentRound(), schedule.numRounds());
        uint256 published = job.resultAssetId;
        if (published != 0) revert ResultAlreadyPublished(jobId, published);
        uint256 lastSuccessPlusOne = schedule.lastSuccessPlusOne();
        if (lastSuccessPlusOne == 0) revert NoSuccessfulRound(jobId);
        uint256 round = lastSuccessPlusOne - 1;
        bytes memory cid = _resultCid(jobId, round);

        uint256[] memory parents = new uint256[](2);
        parents[0] = job.datasetId;
        parents[1] = job.baseModelId;
        // The registry is fixed at construction and mints without a callback; the guard covers the write after it.
        modelAssetId = _registry.publish(job.sponsor, AssetKind.Model, cid, parents);
        job.resultAssetId = modelAssetId;
        emit ResultPublished(jobId, modelAssetId, round, cid);
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
        _requireRunning(jobId, job.schedule);
        Trainer storage trainer = _trainers[jobId][msg.sender];
        TrainerSlot slot = trainer.slot;
        if (slot.status() != uint256(TrainerStatus.None)) revert AlreadyJoined(jobId, msg.sender, slot.index());
        Membership memory membership = job.membership;
        if (membership.trainerCount >= membership.maxTrainers) revert JobFull(jobId, membership.maxTrainers);
        uint256 minStake = job.minStake;
        if (stake < minStake) revert StakeTooLow(stake, minStake);
        if (stake > MAX_STAKE) revert StakeTooHigh(stake, MAX_STAKE);
        if (peerId.length == 0) revert EmptyPeerId();

        index = membership.trainerCount;
        // Bounds: trainerCount < maxTrainers <= 256, so the index fits 8 bits and the count 16.
        job.membership.trainerCount = uint16(index + 1);
        trainer.slot = TrainerSlotLib.create(stake, index, uint256(TrainerStatus.Active));
        trainer.commitment = EMPTY_SLOT_MARKER;

        emit TrainerJoined(jobId, msg.sender, index, stake, peerId, addrs);
        _pullExact(IERC20(membership.stakeToken), msg.sender, stake);
    }

    /// @inheritdoc ITrainingJobs
    function updatePeerInfo(uint256 jobId, bytes calldata peerId, bytes[] calldata addrs) external {
        TrainerSlot slot = _trainers[jobId][msg.sender].slot;
        TrainerStatus status = TrainerStatus(slot.status());
        if (status == TrainerStatus.None) revert NotATrainer(jobId, msg.sender);
        if (status != TrainerStatus.Active && status != TrainerStatus.Left) {
            revert TrainerNotActive(jobId, msg.sender, status);
        }
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
        emit TrainerLeft(jobId, msg.sender, slot.index(), block.timestamp + schedule.roundLength());
    }

    /// @inheritdoc ITrainingJobs
    function withdraw(uint256 jobId) external nonReentrant returns (uint256 amount) {
        Job storage job = _jobs[jobId];
        Trainer storage trainer = _trainers[jobId][msg.sender];
        TrainerSlot slot = trainer.slot;
        TrainerStatus status = TrainerStatus(slot.status());
        if (status == TrainerStatus.None) revert NotATrainer(jobId, msg.sender);
        if (status != TrainerStatus.Active && status != TrainerStatus.Left) {
            revert TrainerNotActive(jobId, msg.sender, status);
        }
        uint256 pending = slot.pendingRoundPlusOne();
        if (pending != 0) revert CommitmentPending(jobId, msg.sender, pending - 1);
        Schedule schedule = job.schedule;
        if (!_isOver(schedule)) {
            if (status == TrainerStatus.Active) revert StakeLocked(jobId, msg.sender);
            uint256 withdrawableAt = slot.leftAt() + schedule.roundLength();
            if (block.timestamp < withdrawableAt) revert CooldownNotOver(withdrawableAt, block.timestamp);
        }

        amount = slot.stake();
        trainer.slot = slot.withStake(0).withStatus(uint256(TrainerStatus.Withdrawn));
        emit StakeWithdrawn(jobId, msg.sender, slot.index(), amount);
        IERC20(job.membership.stakeToken).safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // External: rounds
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ITrainingJobs
    function commit(uint256 jobId, uint256 round, bytes32 commitment) external {
        _requireWindow(jobId, _jobs[jobId].schedule, round, Phase.Commit);
        Trainer storage trainer = _trainers[jobId][msg.sender];
        TrainerSlot slot = trainer.slot;
        _requireActive(jobId, slot);
        uint256 pending = slot.pendingRoundPlusOne();
        if (pending != 0) {
            if (pending == round + 1) revert AlreadyCommitted(round);
            revert CommitmentPending(jobId, msg.sender, pending - 1);
        }
        // Bounds: round is the current round, below numRounds < 2^24.
        trainer.slot = slot.withPendingRoundPlusOne(round + 1);
        trainer.commitment = commitment;
        emit Committed(jobId, round, msg.sender, commitment);
    }

    /// @inheritdoc ITrainingJobs
    function reveal(uint256 jobId, uint256 round, bytes calldata updateCid, uint256 samples, bytes32 salt) external {
        Job storage job = _jobs[jobId];
        {
            Schedule schedule = job.schedule;
            _requireWindow(jobId, schedule, round, Phase.Reveal);
            uint256 maxSamples = schedule.maxSamples();
            if (samples == 0 || samples > maxSamples) revert SamplesOutOfRange(samples, maxSamples);
        }
        Trainer storage trainer = _trainers[jobId][msg.sender];
        TrainerSlot slot = trainer.slot;
        if (slot.pendingRoundPlusOne() != round + 1) revert NotCommitted(round);
        CidLib.validate(updateCid);
        {
            bytes32 revealed = _commitment(updateCid, samples, salt, msg.sender);
            bytes32 committed = trainer.commitment;
            if (revealed != committed) revert CommitmentMismatch(committed, revealed);
        }

        trainer.slot = slot.withPendingRoundPlusOne(0);
        uint256 stake = slot.stake();
        // Bounds: samples <= maxSamples < 2^32; stake < 2^88; index < 256.
        _records[jobId][round][msg.sender] = RoundRecordLib.create(samples, stake, slot.index());
        job.live = job.live.inRound(round).withReveal(stake);
        emit Revealed(jobId, round, msg.sender, slot.index(), updateCid, samples, stake);
    }

    /// @inheritdoc ITrainingJobs
    function attest(
        uint256 jobId,
        uint256 round,
        bytes calldata aggregateCid,
        uint256 includedMask,
        uint256 includedSamples
    ) external {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireWindow(jobId, schedule, round, Phase.Attest);
        _requireValidInclusion(includedMask, includedSamples, schedule.maxSamples());
        CidLib.validate(aggregateCid);
        Attestation memory attestation = _tally(
            job,
            jobId,
            round,
            _tupleHash(aggregateCid, includedMask, includedSamples),
            includedMask,
            schedule.quorumBps()
        );
        if (attestation.quorumReached) {
            _recordWinner(job, jobId, round, attestation, aggregateCid, includedMask, includedSamples);
        } else {
            job.live = attestation.live;
        }
        emit Attested(
            jobId,
            round,
            msg.sender,
            attestation.index,
            aggregateCid,
            includedMask,
            includedSamples,
            attestation.tupleId,
            attestation.tupleStake,
            attestation.quorumReached
        );
    }

    /// @inheritdoc ITrainingJobs
    function finalize(uint256 jobId, uint256 round) external {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireCurrentRound(jobId, schedule, round);
        LiveRound live = job.live.inRound(round);
        {
            uint256 attestEnd = schedule.attestEnd();
            if (block.timestamp < attestEnd && !_everyoneAttested(live, schedule.revealEnd())) {
                revert FinalizeTooEarly(round, attestEnd);
            }
        }
        (bytes memory aggregateCid, uint256 includedMask, uint256 reward) = _settle(job, jobId, round, live);
        // Bounds: round < numRounds < 2^24.
        if (live.winnerId() != 0) schedule = schedule.withLastSuccessPlusOne(round + 1);
        job.schedule = schedule.startRound(round + 1, block.timestamp);
        _emitFinalized(jobId, round, schedule, live, aggregateCid, includedMask, reward);
    }

    /// @inheritdoc ITrainingJobs
    function claim(uint256 jobId, uint256[] calldata rounds) external nonReentrant returns (uint256 amount) {
        uint256 count = rounds.length;
        if (count == 0) revert NoRoundsGiven();
        address rewardToken = _jobs[jobId].rewardToken;
        if (rewardToken == address(0)) revert JobNotFound(jobId);
        for (uint256 i; i < count; ++i) {
            amount += _claimRound(jobId, rounds[i]);
        }
        if (amount != 0) IERC20(rewardToken).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ITrainingJobs
    function slash(uint256 jobId, uint256 round, address trainer) external nonReentrant {
        Job storage job = _jobs[jobId];
        Schedule schedule = job.schedule;
        _requireExists(jobId, schedule);
        Trainer storage slashed = _trainers[jobId][trainer];
        TrainerSlot slot = slashed.slot;
        uint256 pending = slot.pendingRoundPlusOne();
        if (pending == 0 || pending - 1 != round) revert NothingToSlash(jobId, round, trainer);
        // A pending commitment is from the current round or an earlier, finalized one (whose reveal window is over).
        if (round == schedule.currentRound()) {
            uint256 allowedAt = schedule.revealEnd();
            if (block.timestamp < allowedAt) revert SlashTooEarly(round, allowedAt);
        }

        uint256 stake = slot.stake();
        uint256 callerShare = stake * SLASH_CALLER_BPS / BPS;
        uint256 poolShare = stake - callerShare;
        slashed.slot = slot.withStake(0).withStatus(uint256(TrainerStatus.Slashed)).withPendingRoundPlusOne(0);
        address stakeToken = job.membership.stakeToken;
        bool toCarry = stakeToken == job.rewardToken;
        // Bounds: the carry and the forfeited stake grow by at most the job's total stake (< 2^96).
        if (toCarry) job.settlement = job.settlement.withCarry(job.settlement.carry() + poolShare);
        else job.forfeitedStake += uint96(poolShare);

        emit TrainerSlashed(jobId, round, trainer, msg.sender, slot.index(), stake, callerShare, poolShare, toCarry);
        if (callerShare != 0) IERC20(stakeToken).safeTransfer(msg.sender, callerShare);
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
        Settlement settlement = job.settlement;
        Membership memory membership = job.membership;

        params.datasetId = job.datasetId;
        params.baseModelId = job.baseModelId;
        params.baseModelCid = job.baseModelCid;
        params.specCid = job.specCid;
        params.rewardToken = job.rewardToken;
        params.rewardPool = settlement.rewardPerRound() * schedule.numRounds();
        params.rewardPerRound = settlement.rewardPerRound();
        params.stakeToken = membership.stakeToken;
        params.minStake = job.minStake;
        // Bounds: every value below was stored from a parameter of the same width.
        params.numRounds = uint32(schedule.numRounds());
        params.commitWindow = uint32(schedule.commitWindow());
        params.revealWindow = uint32(schedule.revealWindow());
        params.attestWindow = uint32(schedule.attestWindow());
        params.quorumBps = uint16(schedule.quorumBps());
        params.maxTrainers = membership.maxTrainers;
        params.maxSamples = uint32(schedule.maxSamples());
        params.startTime = membership.startTime;

        state.sponsor = job.sponsor;
        state.status = _jobStatus(schedule);
        state.trainerCount = membership.trainerCount;
        state.currentRound = schedule.currentRound();
        state.carry = settlement.carry();
        if (schedule.status() != STATUS_CANCELLED) {
            state.unpaidPool =
                settlement.rewardPerRound() * (schedule.numRounds() - schedule.currentRound()) + settlement.carry();
        }
        state.forfeitedStake = job.forfeitedStake;
        state.trained = schedule.lastSuccessPlusOne() != 0;
        if (state.trained) state.lastSuccessfulRound = schedule.lastSuccessPlusOne() - 1;
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
        state.revealedCount = live.revealedCount();
        state.attestedCount = live.attestedCount();
        state.revealedStake = live.revealedStake();
        state.quorumStake = (state.revealedStake * schedule.quorumBps() + BPS - 1) / BPS;
        state.winningTupleId = live.winnerId();
        if (schedule.status() == STATUS_CANCELLED) state.phase = Phase.Cancelled;
        else if (schedule.hasEnded()) state.phase = Phase.Ended;
        else if (block.timestamp < state.start) state.phase = Phase.Scheduled;
        else if (block.timestamp < state.commitEnd) state.phase = Phase.Commit;
        else if (block.timestamp < state.revealEnd) state.phase = Phase.Reveal;
        else if (block.timestamp < state.attestEnd) state.phase = Phase.Attest;
        else state.phase = Phase.Finalize;
        state.finalizable = state.phase == Phase.Finalize
            || (state.phase == Phase.Attest && _everyoneAttested(live, state.revealEnd));
        if (state.phase != Phase.Ended && state.phase != Phase.Cancelled) {
            state.seed = _seed(jobId, state.round, _currentModelCid(jobId, schedule));
        }
    }

    /// @inheritdoc ITrainingJobs
    function getTrainer(uint256 jobId, address trainer) external view returns (TrainerState memory state) {
        TrainerSlot slot = _trainers[jobId][trainer].slot;
        Schedule schedule = _jobs[jobId].schedule;
        state.status = TrainerStatus(slot.status());
        state.index = slot.index();
        state.stake = slot.stake();
        uint256 pending = slot.pendingRoundPlusOne();
        state.hasPendingCommit = pending != 0;
        if (pending != 0) state.pendingRound = pending - 1;
        state.leftAt = slot.leftAt();
        bool left = state.status == TrainerStatus.Left;
        if (left) state.withdrawableAt = state.leftAt + schedule.roundLength();
        state.canWithdraw = (left || state.status == TrainerStatus.Active) && pending == 0
            && (_isOver(schedule) || (left && block.timestamp >= state.withdrawableAt));
    }

    /// @inheritdoc ITrainingJobs
    function getTrainerRound(uint256 jobId, uint256 round, address trainer)
        external
        view
        returns (TrainerRound memory state)
    {
        RoundRecord record = _records[jobId][round][trainer];
        state.revealed = record.samples() != 0;
        state.samples = record.samples();
        state.attestedTupleId = record.tupleId();
        state.included = record.included();
        state.claimed = record.claimed();
    }

    /// @inheritdoc ITrainingJobs
    function getRoundResult(uint256 jobId, uint256 round) external view returns (RoundResult memory result) {
        Schedule schedule = _jobs[jobId].schedule;
        _requireExists(jobId, schedule);
        if (round >= schedule.currentRound()) return result; // Pending
        Result storage stored = _results[jobId][round];
        ResultHead head = stored.head;
        if (head.winnerId() == 0) {
            result.status = RoundStatus.Failed;
            return result;
        }
        result.status = RoundStatus.Succeeded;
        result.aggregateCid = _resultCid(jobId, round);
        result.includedMask = stored.includedMask;
        result.includedSamples = head.includedSamples();
        result.winningTupleId = head.winnerId();
        result.reward = head.reward();
        result.claimedSamples = head.claimedSamples();
    }

    /// @inheritdoc ITrainingJobs
    function currentModel(uint256 jobId) external view returns (bytes memory cid, bool trained, uint256 round) {
        Schedule schedule = _jobs[jobId].schedule;
        _requireExists(jobId, schedule);
        uint256 lastSuccessPlusOne = schedule.lastSuccessPlusOne();
        trained = lastSuccessPlusOne != 0;
        if (trained) round = lastSuccessPlusOne - 1;
        cid = _currentModelCid(jobId, schedule);
    }

    /// @inheritdoc ITrainingJobs
    function getTuple(uint256 jobId, uint256 round, bytes32 tupleHash)
        external
        view
        returns (uint256 tupleId, uint256 stake)
    {
        Tally tally = _tallies[jobId][round][tupleHash];
        return (tally.id(), tally.stake());
    }

    /// @inheritdoc ITrainingJobs
    function computeCommitment(bytes calldata updateCid, uint256 samples, bytes32 salt, address trainer)
        external
        pure
        returns (bytes32)
    {
        return _commitment(updateCid, samples, salt, trainer);
    }

    /// @inheritdoc ITrainingJobs
    function computeTupleHash(bytes calldata aggregateCid, uint256 includedMask, uint256 includedSamples)
        external
        pure
        returns (bytes32)
    {
        return _tupleHash(aggregateCid, includedMask, includedSamples);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Private: rounds
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Checks that the caller revealed and has not attested, adds its stake to the tuple's tally and records the
    ///      attested tuple id and the caller's inclusion. Tells whether the tally reached the quorum for the first time
    ///      in the round (the quorum is above half of the revealed stake, which no longer changes in the attest window,
    ///      so this happens at most once per round).
    function _tally(
        Job storage job,
        uint256 jobId,
        uint256 round,
        bytes32 tupleHash,
        uint256 includedMask,
        uint256 quorumBps
    ) private returns (Attestation memory attestation) {
        RoundRecord record = _records[jobId][round][msg.sender];
        if (record.samples() == 0) revert NotRevealed(round);
        if (record.tupleId() != 0) revert AlreadyAttested(round, record.tupleId());
        attestation.index = record.index();

        Tally tally = _tallies[jobId][round][tupleHash];
        // The caller revealed in this round, so the live word is tagged with it.
        LiveRound live = job.live;
        uint256 tupleId = tally.id();
        bool newTuple = tupleId == 0;
        // At most one new tuple per attester, at most 256 attesters: ids fit 9 bits.
        if (newTuple) tupleId = live.tupleCount() + 1;
        // Bounds: a tally is at most the revealed stake (< 2^96).
        uint256 tupleStake = tally.stake() + record.stake();
        _tallies[jobId][round][tupleHash] = TallyLib.create(tupleStake, tupleId);
        _records[jobId][round][msg.sender] =
            record.withAttestation(tupleId, (includedMask >> attestation.index) & 1 == 1);

        attestation.live = live.withAttestation(newTuple);
        attestation.quorumReached = live.winnerId() == 0 && tupleStake * BPS >= live.revealedStake() * quorumBps;
        attestation.tupleId = tupleId;
        attestation.tupleStake = tupleStake;
    }

    /// @dev Records the tuple that reached the quorum: its id, included samples and packed CID in the live word, the
    ///      CID tail and the mask in the job's scratch slots (or the whole CID in `_longCids` when it does not pack).
    ///      `finalize` copies them into the round's result.
    function _recordWinner(
        Job storage job,
        uint256 jobId,
        uint256 round,
        Attestation memory attestation,
        bytes calldata aggregateCid,
        uint256 includedMask,
        uint256 includedSamples
    ) private {
        (uint8 cidLength, bytes5 cidHead, bytes32 cidTail) = CidLib.pack(aggregateCid);
        // Bounds: includedSamples <= 256 * maxSamples < 2^40 (checked by `attest`).
        job.live = attestation.live.withWinner(attestation.tupleId, includedSamples, cidHead, cidLength);
        if (cidLength == 0) _longCids[jobId][round] = aggregateCid;
        else job.winnerCidTail = cidTail;
        job.winnerMask = includedMask;
    }

    /// @dev Moves the round's reward: into the round's result when a tuple reached the quorum, into the carry
    ///      otherwise. Returns the winning CID and mask (empty for a failed round) and the round's reward.
    function _settle(Job storage job, uint256 jobId, uint256 round, LiveRound live)
        private
        returns (bytes memory aggregateCid, uint256 includedMask, uint256 reward)
    {
        Settlement settlement = job.settlement;
        // Bounds: carry <= pool + slashed stakes < 2^97, so the reward (< 2^98) fits the result's 104 bits.
        reward = settlement.rewardPerRound() + settlement.carry();
        if (live.winnerId() == 0) {
            job.settlement = settlement.withCarry(reward);
            return (aggregateCid, 0, reward);
        }
        if (settlement.carry() != 0) job.settlement = settlement.withCarry(0);
        (aggregateCid, includedMask) = _storeResult(job, jobId, round, live, reward);
    }

    function _emitFinalized(
        uint256 jobId,
        uint256 round,
        Schedule schedule,
        LiveRound live,
        bytes memory aggregateCid,
        uint256 includedMask,
        uint256 reward
    ) private {
        bool succeeded = live.winnerId() != 0;
        bytes32 nextSeed;
        uint256 nextRoundStart;
        if (round + 1 < schedule.numRounds()) {
            nextSeed = _seed(jobId, round + 1, succeeded ? aggregateCid : _currentModelCid(jobId, schedule));
            nextRoundStart = block.timestamp;
        }
        emit RoundFinalized(
            jobId,
            round,
            succeeded,
            aggregateCid,
            includedMask,
            live.winnerSamples(),
            live.winnerId(),
            reward,
            succeeded ? 0 : reward,
            nextSeed,
            nextRoundStart
        );
    }

    /// @dev Writes the result of a successful round from the winner recorded by `_recordWinner`; returns the winning
    ///      CID and mask.
    function _storeResult(Job storage job, uint256 jobId, uint256 round, LiveRound live, uint256 reward)
        private
        returns (bytes memory aggregateCid, uint256 includedMask)
    {
        Result storage result = _results[jobId][round];
        uint8 cidLength = live.winnerCidLength();
        bytes5 cidHead = live.winnerCidHead();
        includedMask = job.winnerMask;
        result.head = ResultHeadLib.create(reward, live.winnerSamples(), live.winnerId(), cidHead, cidLength);
        result.includedMask = includedMask;
        if (cidLength == 0) return (_longCids[jobId][round], includedMask);
        bytes32 cidTail = job.winnerCidTail;
        result.cidTail = cidTail;
        aggregateCid = CidLib.unpack(cidLength, cidHead, cidTail);
    }

    /// @dev Pays one round of `claim`, O(1): two slot reads and two writes.
    function _claimRound(uint256 jobId, uint256 round) private returns (uint256 amount) {
        Result storage result = _results[jobId][round];
        ResultHead head = result.head;
        uint256 winnerId = head.winnerId();
        if (winnerId == 0) {
            uint256 currentRound = _jobs[jobId].schedule.currentRound();
            if (round >= currentRound) revert RoundNotFinalized(round, currentRound);
            revert RoundFailed(round);
        }
        mapping(address => RoundRecord) storage records = _records[jobId][round];
        RoundRecord record = records[msg.sender];
        uint256 tupleId = record.tupleId();
        if (tupleId == 0) revert NotAttested(round);
        if (tupleId != winnerId) revert AttestedLosingTuple(round, tupleId, winnerId);
        if (!record.included()) revert NotIncluded(round, record.index());
        if (record.claimed()) revert AlreadyClaimed(round);
        uint256 samples = record.samples();
        uint256 includedSamples = head.includedSamples();
        uint256 claimedSamples = head.claimedSamples() + samples;
        if (claimedSamples > includedSamples) {
            revert ClaimExceedsIncludedSamples(round, claimedSamples, includedSamples);
        }
        records[msg.sender] = record.withClaimed();
        // Bounds: claimedSamples <= includedSamples < 2^40.
        result.head = head.withClaimedSamples(claimedSamples);
        // Rounded down: the claimants of a round together receive at most reward * includedSamples / includedSamples.
        amount = head.reward() * samples / includedSamples;
        emit RewardClaimed(jobId, round, msg.sender, amount, samples);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Private: checks and helpers
    // ---------------------------------------------------------------------------------------------------------------

    function _validateParams(JobParams calldata params) private view {
        if (params.rewardToken == address(0)) revert InvalidToken(params.rewardToken);
        if (params.stakeToken == address(0)) revert InvalidToken(params.stakeToken);
        if (params.numRounds == 0 || params.numRounds > MAX_ROUNDS) {
            revert InvalidRoundCount(params.numRounds, MAX_ROUNDS);
        }
        if (params.commitWindow == 0 || params.revealWindow == 0 || params.attestWindow == 0) {
            revert InvalidWindows(params.commitWindow, params.revealWindow, params.attestWindow);
        }
        if (params.quorumBps <= BPS / 2 || params.quorumBps > BPS) revert InvalidQuorum(params.quorumBps);
        if (params.maxTrainers == 0 || params.maxTrainers > MAX_TRAINERS) {
            revert InvalidMaxTrainers(params.maxTrainers, MAX_TRAINERS);
        }
        if (params.maxSamples == 0) revert InvalidMaxSamples(params.maxSamples);
        if (params.minStake == 0 || params.minStake > MAX_STAKE) revert InvalidMinStake(params.minStake, MAX_STAKE);
        if (params.startTime < block.timestamp) revert StartTimeInPast(params.startTime, block.timestamp);
        if (params.rewardPool > MAX_REWARD_POOL) revert RewardPoolTooLarge(params.rewardPool, MAX_REWARD_POOL);
        (bool fits, uint256 expected) = Math.tryMul(params.rewardPerRound, params.numRounds);
        if (!fits || expected != params.rewardPool) {
            revert RewardPoolMismatch(params.rewardPool, fits ? expected : type(uint256).max);
        }
        CidLib.validate(params.baseModelCid);
        CidLib.validate(params.specCid);
        AssetKind datasetKind = _registry.kindOf(params.datasetId);
        if (datasetKind != AssetKind.Dataset) revert WrongAssetKind(params.datasetId, AssetKind.Dataset, datasetKind);
        AssetKind modelKind = _registry.kindOf(params.baseModelId);
        if (modelKind != AssetKind.Model) revert WrongAssetKind(params.baseModelId, AssetKind.Model, modelKind);
    }

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
            opensAt = closesAt;
            closesAt += schedule.revealWindow();
            if (phase != Phase.Reveal) {
                opensAt = closesAt;
                closesAt += schedule.attestWindow();
            }
        }
        if (block.timestamp < opensAt || block.timestamp >= closesAt) revert OutsideWindow(phase, opensAt, closesAt);
    }

    function _requireActive(uint256 jobId, TrainerSlot slot) private view {
        TrainerStatus status = TrainerStatus(slot.status());
        if (status == TrainerStatus.Active) return;
        if (status == TrainerStatus.None) revert NotATrainer(jobId, msg.sender);
        revert TrainerNotActive(jobId, msg.sender, status);
    }

    /// @dev Ended or cancelled: stakes are free.
    function _isOver(Schedule schedule) private pure returns (bool) {
        return schedule.status() == STATUS_CANCELLED || schedule.hasEnded();
    }

    /// @dev Early finalization: the reveal window is over and everyone who revealed has attested (at once when nobody
    ///      revealed: nobody could attest).
    function _everyoneAttested(LiveRound live, uint256 revealEnd) private view returns (bool) {
        return block.timestamp >= revealEnd && live.attestedCount() == live.revealedCount();
    }

    function _jobStatus(Schedule schedule) private view returns (JobStatus) {
        if (schedule.status() == STATUS_CANCELLED) return JobStatus.Cancelled;
        if (schedule.hasEnded()) return JobStatus.Ended;
        if (schedule.currentRound() == 0 && block.timestamp < schedule.roundStart()) return JobStatus.Scheduled;
        return JobStatus.Running;
    }

    /// @dev The global model at the start of the current round: the last successful aggregate, or the base model.
    function _currentModelCid(uint256 jobId, Schedule schedule) private view returns (bytes memory) {
        uint256 lastSuccessPlusOne = schedule.lastSuccessPlusOne();
        if (lastSuccessPlusOne == 0) return _jobs[jobId].baseModelCid;
        return _resultCid(jobId, lastSuccessPlusOne - 1);
    }

    /// @dev The seed of `round`: see ITrainingJobs (Determinism).
    function _seed(uint256 jobId, uint256 round, bytes memory modelCid) private view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), jobId, round, modelCid));
    }

    function _resultCid(uint256 jobId, uint256 round) private view returns (bytes memory) {
        Result storage result = _results[jobId][round];
        ResultHead head = result.head;
        uint8 cidLength = head.cidLength();
        if (cidLength == 0) return _longCids[jobId][round];
        return CidLib.unpack(cidLength, head.cidHead(), result.cidTail);
    }

    function _commitment(bytes calldata updateCid, uint256 samples, bytes32 salt, address trainer)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(updateCid, samples, salt, trainer));
    }

    function _tupleHash(bytes calldata aggregateCid, uint256 includedMask, uint256 includedSamples)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(aggregateCid, includedMask, includedSamples));
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
