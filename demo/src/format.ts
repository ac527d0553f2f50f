/** Small formatting helpers shared by the log, the summary, the checks and the report. */

export function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

export function sum(values: readonly bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}

/** "3 min 12 s", "41.2 s" */
export function duration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
