/**
 * Rewards: what a succeeded round pays each trainer its aggregate includes, exactly as TrainingJobs' `claim` computes
 * it: `reward * samples / includedSamples`, rounded down (the remainder of the division stays with the contract).
 */
export function rewardShare(parameters: { reward: bigint; samples: bigint; includedSamples: bigint }): bigint {
  if (parameters.includedSamples === 0n) return 0n;
  return (parameters.reward * parameters.samples) / parameters.includedSamples;
}
