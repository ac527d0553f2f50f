// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Packed storage words of TrainingJobs. Each type is one storage slot read and written whole (one SLOAD, one SSTORE),
// with accessors in the style of Uniswap v4's Slot0. Setters check that a value fits its field and revert with
// `PackedValueOverflow` otherwise: a value is never masked into a neighbouring field or silently cut.

/// @notice A value does not fit the `bits`-bit field it is written to.
error PackedValueOverflow(uint256 value, uint256 bits);

/// @dev Reads `bits` bits of `word` at `offset`.
function _field(uint256 word, uint256 offset, uint256 bits) pure returns (uint256) {
    return (word >> offset) & ((1 << bits) - 1);
}

/// @dev Replaces `bits` bits of `word` at `offset` by `value`; reverts if `value` needs more than `bits` bits.
function _withField(uint256 word, uint256 offset, uint256 bits, uint256 value) pure returns (uint256) {
    if (value >> bits != 0) revert PackedValueOverflow(value, bits);
    uint256 mask = (1 << bits) - 1;
    return (word & ~(mask << offset)) | (value << offset);
}

/// @notice The clock and limits of a job, read by every round call, and the last successful round.
/// @dev roundStart:40 | currentRound:24 | numRounds:24 | commitWindow:22 | revealWindow:22 | attestWindow:22 |
///      quorumBps:14 | participationBps:14 | status:2 | everRevealed:1 | maxSamples:32 | lastSuccessPlusOne:24 (from
///      the low bits up). `roundStart` of round 0 is the job's start time; once the job has ended it is the time of
///      the last finalization (the job's end). Windows are at most MAX_WINDOW (30 days < 2^22 s).
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
        uint256 participationBps_,
        uint256 status_,
        uint256 maxSamples_
    ) internal pure returns (Schedule) {
        uint256 word = _withField(0, 0, 40, startTime_);
        word = _withField(word, 64, 24, numRounds_);
        word = _withField(word, 88, 22, commitWindow_);
        word = _withField(word, 110, 22, revealWindow_);
        word = _withField(word, 132, 22, attestWindow_);
        word = _withField(word, 154, 14, quorumBps_);
        word = _withField(word, 168, 14, participationBps_);
        word = _withField(word, 182, 2, status_);
        return Schedule.wrap(_withField(word, 185, 32, maxSamples_));
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
        return _field(Schedule.unwrap(s), 88, 22);
    }

    function revealWindow(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 110, 22);
    }

    function attestWindow(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 132, 22);
    }

    function quorumBps(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 154, 14);
    }

    function participationBps(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 168, 14);
    }

    function status(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 182, 2);
    }

    /// @notice Whether some trainer ever revealed on time (from then on the sponsor cannot cancel).
    function everRevealed(Schedule s) internal pure returns (bool) {
        return _field(Schedule.unwrap(s), 184, 1) != 0;
    }

    function maxSamples(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 185, 32);
    }

    /// @notice The last round that succeeded, plus one; 0 while none has.
    function lastSuccessPlusOne(Schedule s) internal pure returns (uint256) {
        return _field(Schedule.unwrap(s), 217, 24);
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

    function hasEnded(Schedule s) internal pure returns (bool) {
        return s.currentRound() >= s.numRounds();
    }

    /// @notice Moves to `round`, starting at `start` (after the last round: the job's end).
    function startRound(Schedule s, uint256 round, uint256 start) internal pure returns (Schedule) {
        return Schedule.wrap(_withField(_withField(Schedule.unwrap(s), 40, 24, round), 0, 40, start));
    }

    function withStatus(Schedule s, uint256 newStatus) internal pure returns (Schedule) {
        return Schedule.wrap(_withField(Schedule.unwrap(s), 182, 2, newStatus));
    }

    function withEverRevealed(Schedule s) internal pure returns (Schedule) {
        return Schedule.wrap(_withField(Schedule.unwrap(s), 184, 1, 1));
    }

    function withLastSuccessPlusOne(Schedule s, uint256 value) internal pure returns (Schedule) {
        return Schedule.wrap(_withField(Schedule.unwrap(s), 217, 24, value));
    }
}

/// @notice The tallies of a job's round, tagged with that round so that it needs no reset at finalization: a word
///         tagged with an earlier round reads as the fresh state of the current one.
/// @dev revealedWeight:40 | attestedWeight:40 | leaderWeight:40 | leaderId:9 | tupleCount:9 | revealedCount:9 |
///      attestedCount:9 | roundPlusOne:24 | committedCount:9 | lateCount:9. A weight is below 2^32 and at most 256
///      trainers reveal in a round, so sums stay below 2^40; counts and ids are at most 256. The leader is the tuple with
///      the most weight, the first to reach it on ties.
type LiveRound is uint256;

using LiveRoundLib for LiveRound global;

library LiveRoundLib {
    /// @notice The word a job starts with: tagged with no round (so it reads as fresh in round 0) yet nonzero, so that
    ///         the first reveal writes nonzero -> nonzero.
    LiveRound internal constant UNUSED = LiveRound.wrap(1);

    /// @notice The word as it stands in `round`: `stored` if it is tagged with `round`, fresh tallies otherwise.
    function inRound(LiveRound stored, uint256 round) internal pure returns (LiveRound) {
        if (_field(LiveRound.unwrap(stored), 156, 24) == round + 1) return stored;
        return LiveRound.wrap(_withField(0, 156, 24, round + 1));
    }

    function revealedWeight(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 0, 40);
    }

    function attestedWeight(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 40, 40);
    }

    function leaderWeight(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 80, 40);
    }

    function leaderId(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 120, 9);
    }

    function tupleCount(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 129, 9);
    }

    function revealedCount(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 138, 9);
    }

    function attestedCount(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 147, 9);
    }

    function committedCount(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 180, 9);
    }

    function lateCount(LiveRound l) internal pure returns (uint256) {
        return _field(LiveRound.unwrap(l), 189, 9);
    }

    /// @notice Whether every commitment of the round has been revealed (on time or late).
    function allRevealed(LiveRound l) internal pure returns (bool) {
        return l.committedCount() == l.revealedCount() + l.lateCount();
    }

    /// @notice Adds a commitment.
    function withCommit(LiveRound l) internal pure returns (LiveRound) {
        uint256 word = LiveRound.unwrap(l);
        return LiveRound.wrap(_withField(word, 180, 9, _field(word, 180, 9) + 1));
    }

    /// @notice Adds a late reveal (it brings no weight).
    function withLateReveal(LiveRound l) internal pure returns (LiveRound) {
        uint256 word = LiveRound.unwrap(l);
        return LiveRound.wrap(_withField(word, 189, 9, _field(word, 189, 9) + 1));
    }

    /// @notice Adds an on-time reveal of `weight`.
    function withReveal(LiveRound l, uint256 weight) internal pure returns (LiveRound) {
        uint256 word = LiveRound.unwrap(l);
        word = _withField(word, 0, 40, _field(word, 0, 40) + weight);
        return LiveRound.wrap(_withField(word, 138, 9, _field(word, 138, 9) + 1));
    }

    /// @notice Adds an attestation of `weight` to tuple `id`, whose tally is now `tupleWeight`; `newTuple` when the
    ///         attestation created the tally. The tuple leads from now on if it has strictly more weight than the
    ///         leader (the first tuple to reach a weight keeps the lead on ties).
    function withAttestation(LiveRound l, uint256 weight, uint256 id, uint256 tupleWeight, bool newTuple)
        internal
        pure
        returns (LiveRound)
    {
        uint256 word = LiveRound.unwrap(l);
        word = _withField(word, 40, 40, _field(word, 40, 40) + weight);
        word = _withField(word, 147, 9, _field(word, 147, 9) + 1);
        if (newTuple) word = _withField(word, 129, 9, _field(word, 129, 9) + 1);
        if (tupleWeight > _field(word, 80, 40)) {
            word = _withField(_withField(word, 80, 40, tupleWeight), 120, 9, id);
        }
        return LiveRound.wrap(word);
    }
}

/// @notice A trainer's stake and standing in a job.
/// @dev stake:96 | weight:32 | index:8 | status:3 | unsettled:1 | pendingRoundPlusOne:24 | lastRevealPlusOne:24 |
///      firstRound:24 | leftAt:40. `pendingRoundPlusOne` is the round of an unrevealed commitment plus one (0: none);
///      `lastRevealPlusOne` the round of the last on-time reveal plus one (0: none), whose penalty (if any) is still to
///      be taken while `unsettled`.
type TrainerSlot is uint256;

using TrainerSlotLib for TrainerSlot global;

library TrainerSlotLib {
    function create(uint256 stake_, uint256 weight_, uint256 index_, uint256 status_, uint256 firstRound_)
        internal
        pure
        returns (TrainerSlot)
    {
        uint256 word = _withField(0, 0, 96, stake_);
        word = _withField(word, 96, 32, weight_);
        word = _withField(word, 128, 8, index_);
        word = _withField(word, 136, 3, status_);
        return TrainerSlot.wrap(_withField(word, 188, 24, firstRound_));
    }

    function stake(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 0, 96);
    }

    function weight(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 96, 32);
    }

    function index(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 128, 8);
    }

    function status(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 136, 3);
    }

    function unsettled(TrainerSlot t) internal pure returns (bool) {
        return _field(TrainerSlot.unwrap(t), 139, 1) != 0;
    }

    function pendingRoundPlusOne(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 140, 24);
    }

    function lastRevealPlusOne(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 164, 24);
    }

    function firstRound(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 188, 24);
    }

    function leftAt(TrainerSlot t) internal pure returns (uint256) {
        return _field(TrainerSlot.unwrap(t), 212, 40);
    }

    function withStake(TrainerSlot t, uint256 stake_, uint256 weight_) internal pure returns (TrainerSlot) {
        return TrainerSlot.wrap(_withField(_withField(TrainerSlot.unwrap(t), 0, 96, stake_), 96, 32, weight_));
    }

    function withStatus(TrainerSlot t, uint256 value) internal pure returns (TrainerSlot) {
        return TrainerSlot.wrap(_withField(TrainerSlot.unwrap(t), 136, 3, value));
    }

    function withPendingRoundPlusOne(TrainerSlot t, uint256 value) internal pure returns (TrainerSlot) {
        return TrainerSlot.wrap(_withField(TrainerSlot.unwrap(t), 140, 24, value));
    }

    /// @notice Records an on-time reveal in `round`, to be settled once the round is final.
    function withReveal(TrainerSlot t, uint256 round) internal pure returns (TrainerSlot) {
        uint256 word = _withField(TrainerSlot.unwrap(t), 140, 24, 0);
        word = _withField(word, 139, 1, 1);
        return TrainerSlot.wrap(_withField(word, 164, 24, round + 1));
    }

    function withSettled(TrainerSlot t) internal pure returns (TrainerSlot) {
        return TrainerSlot.wrap(_withField(TrainerSlot.unwrap(t), 139, 1, 0));
    }

    function withLeftAt(TrainerSlot t, uint256 value) internal pure returns (TrainerSlot) {
        return TrainerSlot.wrap(_withField(TrainerSlot.unwrap(t), 212, 40, value));
    }
}

/// @notice What a trainer did in one round, with the weight and index it revealed with (so that `attest` and `claim`
///         need no other trainer slot).
/// @dev samples:32 | tupleId:9 | included:1 | claimed:1 | late:1 | weight:32 | index:8. `samples > 0` means revealed
///      (samples are at least 1).
type RoundRecord is uint256;

using RoundRecordLib for RoundRecord global;

library RoundRecordLib {
    function create(uint256 samples_, uint256 weight_, uint256 index_, bool late_) internal pure returns (RoundRecord) {
        uint256 word = _withField(0, 0, 32, samples_);
        word = _withField(word, 43, 1, late_ ? 1 : 0);
        word = _withField(word, 44, 32, weight_);
        return RoundRecord.wrap(_withField(word, 76, 8, index_));
    }

    function samples(RoundRecord r) internal pure returns (uint256) {
        return _field(RoundRecord.unwrap(r), 0, 32);
    }

    function tupleId(RoundRecord r) internal pure returns (uint256) {
        return _field(RoundRecord.unwrap(r), 32, 9);
    }

    function included(RoundRecord r) internal pure returns (bool) {
        return _field(RoundRecord.unwrap(r), 41, 1) != 0;
    }

    function claimed(RoundRecord r) internal pure returns (bool) {
        return _field(RoundRecord.unwrap(r), 42, 1) != 0;
    }

    function late(RoundRecord r) internal pure returns (bool) {
        return _field(RoundRecord.unwrap(r), 43, 1) != 0;
    }

    function weight(RoundRecord r) internal pure returns (uint256) {
        return _field(RoundRecord.unwrap(r), 44, 32);
    }

    function index(RoundRecord r) internal pure returns (uint256) {
        return _field(RoundRecord.unwrap(r), 76, 8);
    }

    function withAttestation(RoundRecord r, uint256 id, bool isIncluded) internal pure returns (RoundRecord) {
        uint256 word = _withField(RoundRecord.unwrap(r), 32, 9, id);
        return RoundRecord.wrap(_withField(word, 41, 1, isIncluded ? 1 : 0));
    }

    function withClaimed(RoundRecord r) internal pure returns (RoundRecord) {
        return RoundRecord.wrap(_withField(RoundRecord.unwrap(r), 42, 1, 1));
    }
}

/// @notice The weight behind one attested tuple in one round, and the tuple's id (1, 2, ... in order of first
///         attestation).
/// @dev weight:40 | id:9.
type Tally is uint256;

using TallyLib for Tally global;

library TallyLib {
    function create(uint256 weight_, uint256 id_) internal pure returns (Tally) {
        return Tally.wrap(_withField(_withField(0, 0, 40, weight_), 40, 9, id_));
    }

    function weight(Tally t) internal pure returns (uint256) {
        return _field(Tally.unwrap(t), 0, 40);
    }

    function id(Tally t) internal pure returns (uint256) {
        return _field(Tally.unwrap(t), 40, 9);
    }
}

/// @notice A finalized round: what its winning tuple's included attesters share and what they have been paid.
/// @dev reward:100 | paid:100 | includedSamples:40 | leaderId:9 | status:2 | early:1 | swept:1 | majority:1. `status` is a
///      RoundStatus (0, Pending, until the round is finalized). A claim pays `reward * samples / includedSamples`
///      (rounded down, whatever the order of claims) and adds it to `paid`, which never exceeds `reward`: the unpaid rest,
///      rounding dust included, is known exactly and can be swept. `finalize` keeps a reward below 2^100 (MAX_ROUND_REWARD).
type RoundOutcome is uint256;

using RoundOutcomeLib for RoundOutcome global;

library RoundOutcomeLib {
    function create(
        uint256 reward_,
        uint256 includedSamples_,
        uint256 leaderId_,
        uint256 status_,
        bool early_,
        bool majority_
    ) internal pure returns (RoundOutcome) {
        uint256 word = _withField(0, 0, 100, reward_);
        word = _withField(word, 200, 40, includedSamples_);
        word = _withField(word, 240, 9, leaderId_);
        word = _withField(word, 249, 2, status_);
        word = _withField(word, 251, 1, early_ ? 1 : 0);
        return RoundOutcome.wrap(_withField(word, 253, 1, majority_ ? 1 : 0));
    }

    function reward(RoundOutcome o) internal pure returns (uint256) {
        return _field(RoundOutcome.unwrap(o), 0, 100);
    }

    function paid(RoundOutcome o) internal pure returns (uint256) {
        return _field(RoundOutcome.unwrap(o), 100, 100);
    }

    function includedSamples(RoundOutcome o) internal pure returns (uint256) {
        return _field(RoundOutcome.unwrap(o), 200, 40);
    }

    function leaderId(RoundOutcome o) internal pure returns (uint256) {
        return _field(RoundOutcome.unwrap(o), 240, 9);
    }

    function status(RoundOutcome o) internal pure returns (uint256) {
        return _field(RoundOutcome.unwrap(o), 249, 2);
    }

    function early(RoundOutcome o) internal pure returns (bool) {
        return _field(RoundOutcome.unwrap(o), 251, 1) != 0;
    }

    function swept(RoundOutcome o) internal pure returns (bool) {
        return _field(RoundOutcome.unwrap(o), 252, 1) != 0;
    }

    /// @notice Whether the leading tuple held more than half of the attested weight (then attesting another tuple is
    ///         penalized even in a failed round).
    function majority(RoundOutcome o) internal pure returns (bool) {
        return _field(RoundOutcome.unwrap(o), 253, 1) != 0;
    }

    function withPaid(RoundOutcome o, uint256 value) internal pure returns (RoundOutcome) {
        return RoundOutcome.wrap(_withField(RoundOutcome.unwrap(o), 100, 100, value));
    }

    function withSwept(RoundOutcome o) internal pure returns (RoundOutcome) {
        return RoundOutcome.wrap(_withField(RoundOutcome.unwrap(o), 252, 1, 1));
    }
}

/// @notice The money a job holds besides the unassigned pool and the rounds' rewards, and the packed CID of the global
///         model (read and written together by every finalization).
/// @dev carry:104 | forfeits:104 | modelCidHead:40 | modelCidLength:8. `modelCidLength == 0` with a successful round
///      means the CID did not pack (it is stored whole). The carry stays below the pool (< 2^96) plus what sweeps return
///      to it; forfeits below the stakes ever slashed or penalized in the job. Either would need some 65,000 slashes of
///      the largest stake to pass 2^104, and a write beyond that reverts (`PackedValueOverflow`), never wraps.
type Funds is uint256;

using FundsLib for Funds global;

library FundsLib {
    /// @notice The word a job starts with: nonzero, so that the first write is nonzero -> nonzero.
    Funds internal constant EMPTY = Funds.wrap(1 << 255);

    function carry(Funds f) internal pure returns (uint256) {
        return _field(Funds.unwrap(f), 0, 104);
    }

    function forfeits(Funds f) internal pure returns (uint256) {
        return _field(Funds.unwrap(f), 104, 104);
    }

    function modelCidHead(Funds f) internal pure returns (bytes5) {
        return bytes5(uint40(_field(Funds.unwrap(f), 208, 40)));
    }

    function modelCidLength(Funds f) internal pure returns (uint8) {
        return uint8(_field(Funds.unwrap(f), 248, 8));
    }

    function withCarry(Funds f, uint256 value) internal pure returns (Funds) {
        return Funds.wrap(_withField(Funds.unwrap(f), 0, 104, value));
    }

    function withForfeits(Funds f, uint256 value) internal pure returns (Funds) {
        return Funds.wrap(_withField(Funds.unwrap(f), 104, 104, value));
    }

    function withModelCid(Funds f, bytes5 head, uint8 length) internal pure returns (Funds) {
        return Funds.wrap(_withField(_withField(Funds.unwrap(f), 208, 40, uint40(head)), 248, 8, length));
    }
}
