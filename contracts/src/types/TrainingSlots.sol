// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Packed storage words of TrainingJobs. Each type is one storage slot read and written whole (one SLOAD, one SSTORE),
// with accessors in the style of Uniswap v4's Slot0. Setters take values the caller has bounded (every call site says
// why its value fits); they mask the value anyway so a mistake can never spill into a neighbouring field.

/// @dev Reads `bits` bits of `word` at `offset`.
function _field(uint256 word, uint256 offset, uint256 bits) pure returns (uint256) {
    return (word >> offset) & ((1 << bits) - 1);
}

/// @dev Replaces `bits` bits of `word` at `offset` by `value` (masked to `bits`).
function _withField(uint256 word, uint256 offset, uint256 bits, uint256 value) pure returns (uint256) {
    uint256 mask = (1 << bits) - 1;
    return (word & ~(mask << offset)) | ((value & mask) << offset);
}

/// @notice The clock and limits of a job, read by every round call, and the last successful round.
/// @dev roundStart:40 | currentRound:24 | numRounds:24 | commitWindow:32 | revealWindow:32 | attestWindow:32 |
///      quorumBps:14 | status:2 | maxSamples:32 | lastSuccessPlusOne:24 (from the low bits up). `roundStart` of round 0
///      is the job's start time.
type Schedule is uint256;

using ScheduleLib for Schedule global;

library ScheduleLib {
    function create(
        uint256 startTime_,
        uint256 numRounds_,
        uint256 commitWindow_,
        uint256 revealWindow_,
        uint256 attestWindow_,
        uint256 quorumBps_,
        uint256 status_,
        uint256 maxSamples_
    ) internal pure returns (Schedule) {
        uint256 word = _withField(0, 0, 40, startTime_);
        word = _withField(word, 64, 24, numRounds_);
        word = _withField(word, 88, 32, commitWindow_);
        word = _withField(word, 120, 32, revealWindow_);
        word = _withField(word, 152, 32, attestWindow_);
        word = _withField(word, 184, 14, quorumBps_);
        word = _withField(word, 198, 2, status_);
        return Schedule.wrap(_withField(word, 200, 32, maxSamples_));
    }

    function roundStart(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 0, 40);
    }

    function currentRound(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 40, 24);
    }

    function numRounds(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 64, 24);
    }

    function commitWindow(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 88, 32);
    }

    function revealWindow(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 120, 32);
    }

    function attestWindow(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 152, 32);
    }

    function quorumBps(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 184, 14);
    }

    function status(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 198, 2);
    }

    function maxSamples(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 200, 32);
    }

    /// @notice The last round that succeeded, plus one; 0 while none has.
    function lastSuccessPlusOne(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 232, 24);
    }

    /// @notice End (exclusive) of the commit window of the current round.
    function commitEnd(Schedule s) internal pure returns (uint256) {
        return s.roundStart() + s.commitWindow();
    }

    /// @notice End (exclusive) of the reveal window of the current round.
    function revealEnd(Schedule s) internal pure returns (uint256) {
        return s.commitEnd() + s.revealWindow();
    }

    /// @notice End (exclusive) of the attest window of the current round.
    function attestEnd(Schedule s) internal pure returns (uint256) {
        return s.revealEnd() + s.attestWindow();
    }

    /// @notice One round length (the leave cooldown).
    function roundLength(Schedule s) internal pure returns (uint256) {
        return s.commitWindow() + s.revealWindow() + s.attestWindow();
    }

    function hasEnded(Schedule s) internal pure returns (bool) {
        return s.currentRound() >= s.numRounds();
    }

    /// @notice Moves to `round`, starting at `start`.
    function startRound(Schedule s, uint256 round, uint256 start) internal pure returns (Schedule) {
        return Schedule.wrap(_withField(_withField(Schedule.unwrap(s), 40, 24, round), 0, 40, start));
    }

    function withStatus(Schedule s, uint256 newStatus) internal pure returns (Schedule) {
        return Schedule.wrap(_withField(Schedule.unwrap(s), 198, 2, newStatus));
    }

    function withLastSuccessPlusOne(Schedule s, uint256 value) internal pure returns (Schedule) {
        return Schedule.wrap(_withField(Schedule.unwrap(s), 232, 24, value));
    }
}

/// @notice The tallies of a job's round, tagged with that round so that it needs no reset at finalization: a word
///         tagged with an earlier round reads as the fresh state of the current one.
/// @dev revealedStake:96 | revealedCount:9 | attestedCount:9 | tupleCount:9 | winnerId:9 | winnerSamples:40 |
///      winnerCidHead:40 | winnerCidLength:8 | roundPlusOne:24. Counts and ids are at most 256 (one per trainer).
///      `winner*` are set by the attestation that reaches the quorum.
type LiveRound is uint256;

using LiveRoundLib for LiveRound global;

library LiveRoundLib {
    /// @notice The word a job starts with: tagged with no round (so it reads as fresh in round 0) yet nonzero, so that
    ///         the first reveal writes nonzero -> nonzero.
    LiveRound internal constant UNUSED = LiveRound.wrap(1);

    /// @notice The word as it stands in `round`: `stored` if it is tagged with `round`, fresh tallies otherwise.
    function inRound(LiveRound stored, uint256 round) internal pure returns (LiveRound) {
        if (_field(LiveRound.unwrap(stored), 220, 24) == round + 1) return stored;
        return LiveRound.wrap(_withField(0, 220, 24, round + 1));
    }

    function revealedStake(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 0, 96);
    }

    function revealedCount(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 96, 9);
    }

    function attestedCount(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 105, 9);
    }

    function tupleCount(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 114, 9);
    }

    function winnerId(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 123, 9);
    }

    function winnerSamples(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 132, 40);
    }

    function winnerCidHead(LiveRound l) internal pure returns (bytes5) {
        return bytes5(uint40(_field(LiveRound.unwrap(l), 172, 40)));
    }

    function winnerCidLength(LiveRound l) internal pure returns (uint8) {
        return uint8(_field(LiveRound.unwrap(l), 212, 8));
    }

    /// @notice Adds a reveal with `stake`. Bounds: at most 256 reveals of stakes below 2^88 per round.
    function withReveal(LiveRound l, uint256 stake) internal pure returns (LiveRound) {
        uint256 word = LiveRound.unwrap(l);
        word = _withField(word, 0, 96, _field(word, 0, 96) + stake);
        return LiveRound.wrap(_withField(word, 96, 9, _field(word, 96, 9) + 1));
    }

    /// @notice Counts one attestation, and a new tuple when `newTuple`. Bounds: at most 256 attestations per round.
    function withAttestation(LiveRound l, bool newTuple) internal pure returns (LiveRound) {
        uint256 word = LiveRound.unwrap(l);
        word = _withField(word, 105, 9, _field(word, 105, 9) + 1);
        if (newTuple) word = _withField(word, 114, 9, _field(word, 114, 9) + 1);
        return LiveRound.wrap(word);
    }

    /// @notice Records the winning tuple: its id, included samples and packed CID (length 0: stored whole elsewhere).
    function withWinner(LiveRound l, uint256 id, uint256 samples, bytes5 cidHead, uint8 cidLength)
        internal
        pure
        returns (LiveRound)
    {
        uint256 word = _withField(LiveRound.unwrap(l), 123, 9, id);
        word = _withField(word, 132, 40, samples);
        word = _withField(word, 172, 40, uint40(cidHead));
        return LiveRound.wrap(_withField(word, 212, 8, cidLength));
    }
}

/// @notice A trainer's stake and standing in a job.
/// @dev stake:96 | index:8 | status:8 | pendingRoundPlusOne:32 | leftAt:40. `pendingRoundPlusOne` is the round of an
///      unrevealed commitment plus one, 0 when none.
type TrainerSlot is uint256;

using TrainerSlotLib for TrainerSlot global;

library TrainerSlotLib {
    function create(uint256 stake_, uint256 index_, uint256 status_) internal pure returns (TrainerSlot) {
        uint256 word = _withField(0, 0, 96, stake_);
        word = _withField(word, 96, 8, index_);
        return TrainerSlot.wrap(_withField(word, 104, 8, status_));
    }

    function stake(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 0, 96);
    }

    function index(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 96, 8);
    }

    function status(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 104, 8);
    }

    function pendingRoundPlusOne(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 112, 32);
    }

    function leftAt(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 144, 40);
    }

    function withStake(TrainerSlot t, uint256 value) internal pure returns (TrainerSlot) {
        return TrainerSlot.wrap(_withField(TrainerSlot.unwrap(t), 0, 96, value));
    }

    function withStatus(TrainerSlot t, uint256 value) internal pure returns (TrainerSlot) {
        return TrainerSlot.wrap(_withField(TrainerSlot.unwrap(t), 104, 8, value));
    }

    function withPendingRoundPlusOne(TrainerSlot t, uint256 value) internal pure returns (TrainerSlot) {
        return TrainerSlot.wrap(_withField(TrainerSlot.unwrap(t), 112, 32, value));
    }

    function withLeftAt(TrainerSlot t, uint256 value) internal pure returns (TrainerSlot) {
        return TrainerSlot.wrap(_withField(TrainerSlot.unwrap(t), 144, 40, value));
    }
}

/// @notice What a trainer did in one round, with the stake and index it revealed with (so that `attest` and
///         `claim` need no other trainer slot).
/// @dev samples:32 | tupleId:16 | included:8 | claimed:8 | stake:96 | index:8. `samples > 0` means revealed (samples
///      are at least 1).
type RoundRecord is uint256;

using RoundRecordLib for RoundRecord global;

library RoundRecordLib {
    function create(uint256 samples_, uint256 stake_, uint256 index_) internal pure returns (RoundRecord) {
        uint256 word = _withField(0, 0, 32, samples_);
        word = _withField(word, 64, 96, stake_);
        return RoundRecord.wrap(_withField(word, 160, 8, index_));
    }

    function samples(RoundRecord r) internal pure returns (uint256) {
        return _field(RoundRecord.unwrap(r), 0, 32);
    }

    function tupleId(RoundRecord r) internal pure returns (uint256) {
        return _field(RoundRecord.unwrap(r), 32, 16);
    }

    function included(RoundRecord r) internal pure returns (bool) {
        return _field(RoundRecord.unwrap(r), 48, 8) != 0;
    }

    function claimed(RoundRecord r) internal pure returns (bool) {
        return _field(RoundRecord.unwrap(r), 56, 8) != 0;
    }

    function stake(RoundRecord r) internal pure returns (uint256) {
        return _field(RoundRecord.unwrap(r), 64, 96);
    }

    function index(RoundRecord r) internal pure returns (uint256) {
        return _field(RoundRecord.unwrap(r), 160, 8);
    }

    function withAttestation(RoundRecord r, uint256 id, bool isIncluded) internal pure returns (RoundRecord) {
        uint256 word = _withField(RoundRecord.unwrap(r), 32, 16, id);
        return RoundRecord.wrap(_withField(word, 48, 8, isIncluded ? 1 : 0));
    }

    function withClaimed(RoundRecord r) internal pure returns (RoundRecord) {
        return RoundRecord.wrap(_withField(RoundRecord.unwrap(r), 56, 8, 1));
    }
}

/// @notice The stake behind one attested tuple in one round, and the tuple's id (1, 2, ... in order of first
///         attestation).
/// @dev stake:96 | id:16.
type Tally is uint256;

using TallyLib for Tally global;

library TallyLib {
    function create(uint256 stake_, uint256 id_) internal pure returns (Tally) {
        return Tally.wrap(_withField(_withField(0, 0, 96, stake_), 96, 16, id_));
    }

    function stake(Tally t) internal pure returns (uint256) {
        return _field(Tally.unwrap(t), 0, 96);
    }

    function id(Tally t) internal pure returns (uint256) {
        return _field(Tally.unwrap(t), 96, 16);
    }
}

/// @notice The first slot of a successful round's result.
/// @dev reward:104 | includedSamples:40 | claimedSamples:40 | winnerId:16 | cidHead:40 | cidLength:8. `winnerId != 0`
///      exactly when the round is finalized and succeeded (failed rounds leave the slot empty).
type ResultHead is uint256;

using ResultHeadLib for ResultHead global;

library ResultHeadLib {
    function create(uint256 reward_, uint256 includedSamples_, uint256 winnerId_, bytes5 cidHead_, uint8 cidLength_)
        internal
        pure
        returns (ResultHead)
    {
        uint256 word = _withField(0, 0, 104, reward_);
        word = _withField(word, 104, 40, includedSamples_);
        word = _withField(word, 184, 16, winnerId_);
        word = _withField(word, 200, 40, uint40(cidHead_));
        return ResultHead.wrap(_withField(word, 240, 8, cidLength_));
    }

    function reward(ResultHead h) internal pure returns (uint256) {
        return _field(ResultHead.unwrap(h), 0, 104);
    }

    function includedSamples(ResultHead h) internal pure returns (uint256) {
        return _field(ResultHead.unwrap(h), 104, 40);
    }

    function claimedSamples(ResultHead h) internal pure returns (uint256) {
        return _field(ResultHead.unwrap(h), 144, 40);
    }

    function winnerId(ResultHead h) internal pure returns (uint256) {
        return _field(ResultHead.unwrap(h), 184, 16);
    }

    function cidHead(ResultHead h) internal pure returns (bytes5) {
        return bytes5(uint40(_field(ResultHead.unwrap(h), 200, 40)));
    }

    function cidLength(ResultHead h) internal pure returns (uint8) {
        return uint8(_field(ResultHead.unwrap(h), 240, 8));
    }

    function withClaimedSamples(ResultHead h, uint256 value) internal pure returns (ResultHead) {
        return ResultHead.wrap(_withField(ResultHead.unwrap(h), 144, 40, value));
    }
}

/// @notice Where a job's reward stands.
/// @dev carry:128 | rewardPerRound:96.
type Settlement is uint256;

using SettlementLib for Settlement global;

library SettlementLib {
    function create(uint256 carry_, uint256 rewardPerRound_) internal pure returns (Settlement) {
        return Settlement.wrap(_withField(_withField(0, 0, 128, carry_), 128, 96, rewardPerRound_));
    }

    function carry(Settlement s) internal pure returns (uint256) {
        return _field(Settlement.unwrap(s), 0, 128);
    }

    function rewardPerRound(Settlement s) internal pure returns (uint256) {
        return _field(Settlement.unwrap(s), 128, 96);
    }

    function withCarry(Settlement s, uint256 value) internal pure returns (Settlement) {
        return Settlement.wrap(_withField(Settlement.unwrap(s), 0, 128, value));
    }
}
