/**
 * Rewards: what a succeeded round pays each trainer its aggregate includes, exactly as TrainingJobs' `claim` computes
 * it: `reward * samples / includedSamples`, rounded down, whatever the order of claims (what nobody claims, rounding
 * dust included, is swept into the carry after the round's claim deadline).
 */
export function rewardShare(parameters: { reward: bigint; samples: bigint; includedSamples: bigint }): bigint {
  if (parameters.includedSamples === 0n) return 0n;
  return (parameters.reward * parameters.samples) / parameters.includedSamples;
}
