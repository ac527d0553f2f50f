import { expect } from "chai";
import fc from "fast-check";
import { encodeAbiParameters, keccak256, stringToHex, type Address, type Hex } from "viem";
import { propertyRun } from "@mycelium/devkit";
import {
  AUDIT_STAKE_MARGIN,
  InvalidArgumentError,
  aggregateUpdates,
  computeAuditSeed,
  minimumAuditStake,
  rewardShare,
  selectAudits,
  type AggregationUpdate,
} from "../../src/index.ts";

const job = { chainId: 31337, contract: "0x00000000000000000000000000000000000000a1" as Address, jobId: 7n };
const roundSeed: Hex = keccak256(stringToHex("round seed"));
const salt = (label: string | number): Hex => keccak256(stringToHex(`salt ${label}`));

/** The draw as trainer/README.md "Replay audits (normative)" writes it, independent of the implementation. */
function referenceDraw(auditSeed: Hex, reveals: { trainerIndex: number; samples: number; late: boolean }[], count: number): number[] {
  const pool = reveals.filter((r) => !r.late).sort((a, b) => a.trainerIndex - b.trainerIndex);
  const drawn: number[] = [];
  for (let k = 0; k < count && pool.length > 0; k++) {
    const total = pool.reduce((sum, r) => sum + BigInt(r.samples), 0n);
    const r = BigInt(keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [auditSeed, BigInt(k)]))) % total;
    let cumulative = 0n;
    const pick = pool.findIndex((entry) => {
      cumulative += BigInt(entry.samples);
      return r < cumulative;
    });
    drawn.push(pool[pick]!.trainerIndex);
    pool.splice(pick, 1);
  }
  return drawn;
}

describe("replay audits: the seed", () => {
  it("hashes the job, the round seed and the on-time salts in trainer order, whatever order they are given in", () => {
    const reveals = [
      { trainerIndex: 5, salt: salt(5) },
      { trainerIndex: 0, salt: salt(0) },
      { trainerIndex: 2, salt: salt(2) },
    ];
    const expected = keccak256(
      encodeAbiParameters(
        [
          { type: "uint256" },
          { type: "address" },
          { type: "uint256" },
          { type: "uint256" },
          { type: "bytes32" },
          { type: "uint256[]" },
          { type: "bytes32[]" },
        ],
        [31337n, job.contract, 7n, 3n, roundSeed, [0n, 2n, 5n], [salt(0), salt(2), salt(5)]],
      ),
    );
    expect(computeAuditSeed({ ...job, round: 3, roundSeed, reveals })).to.equal(expected);
    expect(computeAuditSeed({ ...job, round: 3, roundSeed, reveals: [...reveals].reverse() })).to.equal(expected);
  });

  it("changes with any salt, the set of on-time reveals, the round and the job", () => {
    const reveals = [0, 1, 2].map((i) => ({ trainerIndex: i, salt: salt(i) }));
    const seed = computeAuditSeed({ ...job, round: 1, roundSeed, reveals });
    const variants = [
      computeAuditSeed({
        ...job,
        round: 1,
        roundSeed,
        reveals: reveals.map((r) => (r.trainerIndex === 1 ? { ...r, salt: salt("other") } : r)),
      }),
      computeAuditSeed({ ...job, round: 1, roundSeed, reveals: reveals.slice(0, 2) }),
      computeAuditSeed({ ...job, round: 2, roundSeed, reveals }),
      computeAuditSeed({ ...job, jobId: 8n, round: 1, roundSeed, reveals }),
    ];
    expect(new Set([seed, ...variants]).size).to.equal(5);
  });

  it("refuses a trainer index twice and a salt that is not 32 bytes, naming the parameter", () => {
    const twice = () =>
      computeAuditSeed({
        ...job,
        round: 0,
        roundSeed,
        reveals: [
          { trainerIndex: 1, salt: salt(1) },
          { trainerIndex: 1, salt: salt(2) },
        ],
      });
    expect(twice).to.throw(InvalidArgumentError).with.property("parameter", "reveals");
    const short = () => computeAuditSeed({ ...job, round: 0, roundSeed, reveals: [{ trainerIndex: 1, salt: "0x1234" }] });
    expect(short).to.throw(InvalidArgumentError).with.property("parameter", "salt");
    expect(() => computeAuditSeed({ ...job, round: 0, roundSeed: "0x00", reveals: [] }))
      .to.throw(InvalidArgumentError)
      .with.property("parameter", "roundSeed");
  });
});

describe("replay audits: the draw", () => {
  it("follows its documented definition for random rounds (fast-check)", () => {
    const round = fc.record({
      seed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      count: fc.integer({ min: 1, max: 5 }),
      reveals: fc.uniqueArray(
        fc.record({ trainerIndex: fc.integer({ min: 0, max: 255 }), samples: fc.integer({ min: 1, max: 2 ** 40 }), late: fc.boolean() }),
        { selector: (r) => r.trainerIndex, minLength: 0, maxLength: 20 },
      ),
    });
    fc.assert(
      fc.property(round, ({ seed, count, reveals }) => {
        const auditSeed = `0x${Buffer.from(seed).toString("hex")}` as Hex;
        const selection = selectAudits({ auditSeed, reveals, count });
        const drawn = referenceDraw(auditSeed, reveals, count);
        expect(selection.drawn).to.deep.equal(drawn);
        const late = reveals.filter((r) => r.late).map((r) => r.trainerIndex);
        expect(selection.audited).to.deep.equal([...new Set([...drawn, ...late])].sort((a, b) => a - b));
        expect(selection.drawn.length).to.equal(Math.min(count, reveals.length - late.length));
      }),
      propertyRun("audit draw against its text", { numRuns: 200 }),
    );
  });

  it("draws each on-time update about as often as its share of the samples", () => {
    const reveals = [
      { trainerIndex: 0, samples: 1000, late: false },
      { trainerIndex: 1, samples: 1000, late: false },
      { trainerIndex: 4, samples: 2000, late: false },
      { trainerIndex: 9, samples: 4000, late: false },
    ];
    const counts = new Map<number, number>();
    const draws = 4000;
    for (let i = 0; i < draws; i++) {
      const [pick] = selectAudits({ auditSeed: keccak256(stringToHex(`audit seed ${i}`)), reveals, count: 1 }).drawn;
      counts.set(pick!, (counts.get(pick!) ?? 0) + 1);
    }
    for (const reveal of reveals) {
      const share = (counts.get(reveal.trainerIndex) ?? 0) / draws;
      expect(share, `trainer ${reveal.trainerIndex}`).to.be.closeTo(reveal.samples / 8000, 0.03);
    }
  });

  it("audits every late reveal, draws each on-time update at most once, and draws nothing when nobody revealed on time", () => {
    const auditSeed = keccak256(stringToHex("seed"));
    const reveals = [
      { trainerIndex: 3, samples: 10, late: true },
      { trainerIndex: 1, samples: 10, late: false },
      { trainerIndex: 2, samples: 10, late: false },
    ];
    const all = selectAudits({ auditSeed, reveals, count: 5 });
    expect([...all.drawn].sort()).to.deep.equal([1, 2]);
    expect(all.audited).to.deep.equal([1, 2, 3]);
    const lateOnly = selectAudits({ auditSeed, reveals: [reveals[0]!], count: 1 });
    expect(lateOnly).to.deep.equal({ drawn: [], audited: [3] });
  });

  it("refuses a count below 1, zero samples and a trainer index twice, naming the parameter", () => {
    const auditSeed = keccak256(stringToHex("seed"));
    const one = { trainerIndex: 0, samples: 5, late: false };
    expect(() => selectAudits({ auditSeed, reveals: [one], count: 0 }))
      .to.throw(InvalidArgumentError)
      .with.property("parameter", "count");
    expect(() => selectAudits({ auditSeed, reveals: [{ ...one, samples: 0 }], count: 1 }))
      .to.throw(InvalidArgumentError)
      .with.property("parameter", "samples");
    expect(() => selectAudits({ auditSeed, reveals: [one, one], count: 1 }))
      .to.throw(InvalidArgumentError)
      .with.property("parameter", "reveals");
    expect(() => selectAudits({ auditSeed: "0x01", reveals: [one], count: 1 }))
      .to.throw(InvalidArgumentError)
      .with.property("parameter", "auditSeed");
  });
});

describe("replay audits: the stake bound", () => {
  it("is AUDIT_STAKE_MARGIN round rewards over the audits per round, rounded up", () => {
    expect(AUDIT_STAKE_MARGIN).to.equal(2);
    expect(minimumAuditStake({ roundReward: 1000n, auditsPerRound: 1 })).to.equal(2000n);
    expect(minimumAuditStake({ roundReward: 1000n, auditsPerRound: 3 })).to.equal(667n);
    expect(minimumAuditStake({ roundReward: 0n, auditsPerRound: 2 })).to.equal(0n);
    expect(() => minimumAuditStake({ roundReward: 1000n, auditsPerRound: 0 }))
      .to.throw(InvalidArgumentError)
      .with.property("parameter", "auditsPerRound");
  });
});

describe("replay audits in aggregation: a free rider", () => {
  // Four trainers on a 3-weight model; honest steps point different ways (as on real data, where they scatter around
  // the median more than the median moves), and trainer 2 sends the base plus one ulp in place of training.
  const base = [Float32Array.from([0.5, -0.25, 1])];
  const honest = (coordinate: number) => [base[0]!.map((value, j) => value + (j === coordinate ? 0.02 : 0))];
  const ulp = [Float32Array.from(base[0]!)];
  new Uint32Array(ulp[0]!.buffer)[0]! += 1;
  const updates = (audited: boolean): AggregationUpdate[] => [
    { trainerIndex: 0, samples: 100, weights: honest(0) },
    { trainerIndex: 1, samples: 100, weights: honest(1) },
    audited
      ? { trainerIndex: 2, samples: 100, replayMismatch: "differs from its replay by 1.00 of the update's size" }
      : { trainerIndex: 2, samples: 100, weights: ulp },
    { trainerIndex: 3, samples: 100, weights: honest(2) },
  ];

  it("passes screening unaudited and is paid a share, which is why rounds audit", () => {
    const result = aggregateUpdates({ base, updates: updates(false), rule: { rule: "trimmed-mean", robustK: 2, trimFraction: 0.2 } });
    expect(result.verdicts[2]!.reason).to.equal("included");
    expect(rewardShare({ reward: 1000n, samples: 100n, includedSamples: result.includedSamples })).to.equal(250n);
    expect(result.slashMask).to.equal(0n);
  });

  it("withholding its data when drawn is a failed audit (slashed); unavailable and not drawn is only excluded", () => {
    const rule = { rule: "trimmed-mean", robustK: 2, trimFraction: 0.2 } as const;
    const withheld = updates(false).map((u) =>
      u.trainerIndex === 2 ? { trainerIndex: 2, samples: 100, unavailable: "fetch timed out" } : u,
    );
    const drawn = aggregateUpdates({ base, updates: withheld, rule, audited: [2] });
    expect(drawn.verdicts[2]).to.deep.include({ reason: "replay-mismatch", included: false });
    expect(drawn.verdicts[2]!.detail).to.equal("drawn for a replay audit but update unavailable: fetch timed out");
    expect(drawn.slashMask).to.equal(0b0100n);
    const notDrawn = aggregateUpdates({ base, updates: withheld, rule, audited: [0] });
    expect(notDrawn.verdicts[2]!.reason).to.equal("unavailable");
    expect(notDrawn.slashMask).to.equal(0n);
    expect(notDrawn.weights).to.deep.equal(drawn.weights);
  });

  it("audited and caught, is excluded as replay-mismatch, named in slashMask and paid nothing", () => {
    const result = aggregateUpdates({ base, updates: updates(true), rule: { rule: "trimmed-mean", robustK: 2, trimFraction: 0.2 } });
    expect(result.verdicts.map((v) => v.reason)).to.deep.equal(["included", "included", "replay-mismatch", "included"]);
    expect(result.verdicts[2]!.detail).to.match(/^failed its replay audit: differs from its replay/);
    expect(result.includedMask).to.equal(0b1011n);
    expect(result.slashMask).to.equal(0b0100n);
    expect(result.includedSamples).to.equal(300n);
    const honestOnly = aggregateUpdates({
      base,
      updates: updates(true).filter((u) => u.trainerIndex !== 2),
      rule: { rule: "trimmed-mean", robustK: 2, trimFraction: 0.2 },
    });
    expect(result.weights).to.deep.equal(honestOnly.weights);
  });
});
