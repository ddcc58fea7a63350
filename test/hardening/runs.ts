/**
 * How many inputs a hardening property tries: `base` by default (a few seconds a file), scaled by
 * FUZZ_RUNS for the long variant (`npm run test:fuzz` sets FUZZ_RUNS=20: twenty times as many).
 */
export function runs(base: number): number {
  const scale = Number(process.env.FUZZ_RUNS ?? '1');
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** fast-check's seed, fixed by FUZZ_SEED to replay a failure (fast-check prints the seed and path it failed on). */
export function seed(): number | undefined {
  const s = process.env.FUZZ_SEED;
  return s === undefined ? undefined : Number(s);
}
