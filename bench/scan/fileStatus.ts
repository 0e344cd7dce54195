/** How a corpus's files were analysed: counts and shares of full, degraded and failed. */
export function fileStatusShares(files: readonly { file: string; status: string }[]): {
  total: number;
  full: number;
  degraded: number;
  failed: number;
  /** `full 98.9%, degraded 1.1%, failed 0.0% of 350`. */
  text: string;
  /** Share analysed at all (full or degraded), the ≥ 99% target. */
  analysed: number;
} {
  // Project-level warnings come as pseudo-files (the project root); only Solidity files count.
  const sources = files.filter((f) => f.file.endsWith('.sol'));
  const count = (status: string) => sources.filter((f) => f.status === status).length;
  const total = sources.length;
  const [full, degraded, failed] = [count('full'), count('degraded'), count('failed')];
  const share = (n: number) => `${total === 0 ? '—' : ((100 * n) / total).toFixed(1)}%`;
  return {
    total,
    full,
    degraded,
    failed,
    text: `full ${share(full)}, degraded ${share(degraded)}, failed ${share(failed)} of ${total}`,
    analysed: total === 0 ? 0 : (full + degraded) / total,
  };
}
