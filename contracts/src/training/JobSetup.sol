// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {ITrainingJobs} from "../interfaces/ITrainingJobs.sol";
import {CidLib} from "../libraries/CidLib.sol";
import {AssetKind, AssetState} from "../types/Asset.sol";
import {JobParams} from "../types/Training.sol";
import {Funds, FundsLib, LiveRoundLib, Schedule, ScheduleLib} from "../types/TrainingSlots.sol";
import {
    AUDIT_STAKE_MARGIN,
    BPS,
    BURN_ADDRESS,
    Config,
    EMPTY_SLOT_MARKER,
    Job,
    MAX_REWARD_POOL,
    MAX_ROUNDS,
    MAX_STAKE,
    MAX_START_TIME,
    MAX_TRAINERS,
    MAX_WINDOW,
    Membership,
    STATUS_CANCELLED,
    STATUS_CREATED,
    seedOf
} from "./JobStorage.sol";

/// @title JobSetup
/// @notice The once-per-job calls of TrainingJobs: checks a new job's parameters and writes its storage, cancels a
///         job, refunds what is left after its end and publishes its result. TrainingJobs calls it with DELEGATECALL, so events,
///         errors, `msg.sender` and token balances are the contract's own (events and errors are declared in
///         ITrainingJobs). It is a linked library only to keep TrainingJobs under the 24,576-byte code size limit
///         (EIP-170): these calls run once per job, every round call stays in the contract.
library JobSetup {
    using SafeERC20 for IERC20;

    /// @notice Validates `params` and initializes `job` (id `jobId`) for `sponsor`; emits `JobCreated`. The caller
    ///         pulls the pool afterwards.
    function initialize(
        Job storage job,
        uint256 jobId,
        address sponsor,
        JobParams calldata params,
        IAssetRegistry registry,
        uint256 minWindow
    ) external {
        _validate(params, registry, minWindow);
        job.schedule = ScheduleLib.create(
            params.startTime,
            params.numRounds,
            params.commitWindow,
            params.revealWindow,
            params.attestWindow,
            params.quorumBps,
            params.participationBps,
            STATUS_CREATED,
            params.maxSamples
        );
        job.live = LiveRoundLib.UNUSED;
        job.funds = FundsLib.EMPTY;
        job.modelCidTail = EMPTY_SLOT_MARKER;
        job.config = Config({token: params.token, rewardPerRound: SafeCast.toUint96(params.rewardPerRound)});
        job.membership = Membership({
            minStake: SafeCast.toUint88(params.minStake),
            weightCap: params.weightCap,
            maxTrainers: params.maxTrainers,
            claimPeriod: params.claimPeriod,
            startTime: SafeCast.toUint40(params.startTime),
            auditsPerRound: params.auditsPerRound
        });
        job.sponsor = sponsor;
        job.datasetId = params.datasetId;
        job.baseModelId = params.baseModelId;
        job.baseModelCid = params.baseModelCid;
        job.specCid = params.specCid;
        emit ITrainingJobs.JobCreated(jobId, sponsor, params.datasetId, params, seedOf(address(this), jobId, 0, params.baseModelCid));
    }

    /// @notice `cancelJob`: the sponsor cancels a job in which nobody revealed on time; the unassigned pool goes back
    ///         to it and any forfeits are burned.
    function cancel(Job storage job, uint256 jobId) external {
        Schedule schedule = job.schedule;
        if (schedule.status() == 0) revert ITrainingJobs.JobNotFound(jobId);
        if (schedule.status() == STATUS_CANCELLED) revert ITrainingJobs.JobIsCancelled(jobId);
        if (schedule.hasEnded()) revert ITrainingJobs.JobHasEnded(jobId);
        address sponsor = job.sponsor;
        if (msg.sender != sponsor) revert ITrainingJobs.NotSponsor(msg.sender, sponsor);
        if (schedule.everRevealed()) revert ITrainingJobs.UpdatesRevealed(jobId);

        // Nobody revealed on time, so no round succeeded: nothing was paid, everything not assigned is here.
        Funds funds = job.funds;
        uint256 refund =
            uint256(job.config.rewardPerRound) * (schedule.numRounds() - schedule.currentRound()) + funds.carry();
        uint256 burned = funds.forfeits();
        job.funds = funds.withCarry(0).withForfeits(0);
        job.schedule = schedule.withStatus(STATUS_CANCELLED);
        emit ITrainingJobs.JobCancelled(jobId, sponsor, refund, burned);
        _payOut(job, sponsor, refund, burned);
    }

    /// @notice `refundRemainder`: after the end, the carry goes back to the sponsor and the forfeits are burned.
    function refundRemainder(Job storage job, uint256 jobId) external {
        Schedule schedule = job.schedule;
        if (schedule.status() == 0) revert ITrainingJobs.JobNotFound(jobId);
        if (schedule.status() == STATUS_CANCELLED) revert ITrainingJobs.JobIsCancelled(jobId);
        if (!schedule.hasEnded()) {
            revert ITrainingJobs.JobNotEnded(jobId, schedule.currentRound(), schedule.numRounds());
        }
        Funds funds = job.funds;
        uint256 refund = funds.carry();
        uint256 burned = funds.forfeits();
        if (refund == 0 && burned == 0) revert ITrainingJobs.NothingToRefund(jobId);
        job.funds = funds.withCarry(0).withForfeits(0);
        address sponsor = job.sponsor;
        emit ITrainingJobs.RemainderRefunded(jobId, sponsor, refund, burned);
        _payOut(job, sponsor, refund, burned);
    }

    /// @notice `publishResult`: after the end, mints the last successful aggregate (`modelCid`, the job's current
    ///         model) as a model asset owned by the sponsor, with the dataset and the base model as its parents.
    function publishResult(Job storage job, uint256 jobId, IAssetRegistry registry, bytes memory modelCid)
        external
        returns (uint256 modelAssetId)
    {
        Schedule schedule = job.schedule;
        if (schedule.status() == 0) revert ITrainingJobs.JobNotFound(jobId);
        if (schedule.status() == STATUS_CANCELLED) revert ITrainingJobs.JobIsCancelled(jobId);
        if (!schedule.hasEnded()) {
            revert ITrainingJobs.JobNotEnded(jobId, schedule.currentRound(), schedule.numRounds());
        }
        uint256 published = job.resultAssetId;
        if (published != 0) revert ITrainingJobs.ResultAlreadyPublished(jobId, published);
        uint256 lastSuccessPlusOne = schedule.lastSuccessPlusOne();
        if (lastSuccessPlusOne == 0) revert ITrainingJobs.NoSuccessfulRound(jobId);

        uint256[] memory parents = new uint256[](2);
        parents[0] = job.datasetId;
        parents[1] = job.baseModelId;
        // The registry is fixed at construction and mints without a callback; the caller's guard covers the write after.
        modelAssetId = registry.publish(job.sponsor, AssetKind.Model, modelCid, parents);
        job.resultAssetId = modelAssetId;
        emit ITrainingJobs.ResultPublished(jobId, modelAssetId, lastSuccessPlusOne - 1, modelCid);
    }

    function _payOut(Job storage job, address sponsor, uint256 refund, uint256 burned) private {
        IERC20 token = IERC20(job.config.token);
        if (refund != 0) token.safeTransfer(sponsor, refund);
        if (burned != 0) token.safeTransfer(BURN_ADDRESS, burned);
    }

    function _validate(JobParams calldata params, IAssetRegistry registry, uint256 minWindow) private view {
        if (params.token == address(0)) revert ITrainingJobs.InvalidToken(params.token);
        if (params.numRounds == 0 || params.numRounds > MAX_ROUNDS) {
            revert ITrainingJobs.InvalidRoundCount(params.numRounds, MAX_ROUNDS);
        }
        _requireWindowLength(params.commitWindow, minWindow);
        _requireWindowLength(params.revealWindow, minWindow);
        _requireWindowLength(params.attestWindow, minWindow);
        _requireWindowLength(params.claimPeriod, minWindow);
        if (params.quorumBps <= BPS / 2 || params.quorumBps > BPS) revert ITrainingJobs.InvalidQuorum(params.quorumBps);
        if (params.participationBps < BPS / 2 || params.participationBps > BPS) {
            revert ITrainingJobs.InvalidParticipation(params.participationBps);
        }
        if (params.weightCap == 0) revert ITrainingJobs.InvalidWeightCap(params.weightCap);
        if (params.maxTrainers == 0 || params.maxTrainers > MAX_TRAINERS) {
            revert ITrainingJobs.InvalidMaxTrainers(params.maxTrainers, MAX_TRAINERS);
        }
        if (params.maxSamples == 0) revert ITrainingJobs.InvalidMaxSamples(params.maxSamples);
        if (params.minStake == 0 || params.minStake > MAX_STAKE) {
            revert ITrainingJobs.InvalidMinStake(params.minStake, MAX_STAKE);
        }
        if (params.startTime < block.timestamp) revert ITrainingJobs.StartTimeInPast(params.startTime, block.timestamp);
        if (params.startTime > MAX_START_TIME) revert ITrainingJobs.StartTimeTooLate(params.startTime, MAX_START_TIME);
        if (params.rewardPool > MAX_REWARD_POOL) {
            revert ITrainingJobs.RewardPoolTooLarge(params.rewardPool, MAX_REWARD_POOL);
        }
        (bool fits, uint256 expected) = Math.tryMul(params.rewardPerRound, params.numRounds);
        if (!fits || expected != params.rewardPool) {
            revert ITrainingJobs.RewardPoolMismatch(params.rewardPool, fits ? expected : type(uint256).max);
        }
        if (params.auditsPerRound == 0) revert ITrainingJobs.InvalidAuditCount(params.auditsPerRound);
        // Both sides fit: minStake < 2^88, auditsPerRound < 2^8, rewardPerRound <= rewardPool < 2^96.
        if (params.minStake * params.auditsPerRound < AUDIT_STAKE_MARGIN * params.rewardPerRound) {
            revert ITrainingJobs.StakeBelowAuditBound(params.minStake, params.rewardPerRound, params.auditsPerRound);
        }
        CidLib.validate(params.specCid);
        _requireActiveAsset(registry, params.datasetId, AssetKind.Dataset);
        bytes memory manifest = _requireActiveAsset(registry, params.baseModelId, AssetKind.Model);
        if (keccak256(manifest) != keccak256(params.baseModelCid)) {
            revert ITrainingJobs.BaseModelCidMismatch(params.baseModelId, manifest, params.baseModelCid);
        }
    }

    /// @dev Reverts unless the asset exists (the registry reverts `AssetNotFound`), is of `kind` and is Active;
    ///      returns its current manifest CID.
    function _requireActiveAsset(IAssetRegistry registry, uint256 assetId, AssetKind kind)
        private
        view
        returns (bytes memory)
    {
        IAssetRegistry.Asset memory asset = registry.assetOf(assetId);
        if (asset.kind != kind) revert ITrainingJobs.WrongAssetKind(assetId, kind, asset.kind);
        if (asset.state != AssetState.Active) revert ITrainingJobs.AssetNotActive(assetId, asset.state);
        return asset.manifestCid;
    }

    function _requireWindowLength(uint256 window, uint256 minWindow) private pure {
        if (window < minWindow || window > MAX_WINDOW) {
            revert ITrainingJobs.WindowOutOfRange(window, minWindow, MAX_WINDOW);
        }
    }
}
