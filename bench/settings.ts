/** A positive number from the environment (a BENCH_* setting), or the fallback; a bad value stops the bench. */
export function envNumber(name: string, fallback: number, integer = true): number {
  const raw = process.env[name]?.trim();
  const n = raw ? Number(raw) : fallback;
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${name} must be a positive ${integer ? 'whole ' : ''}number, not "${raw}"`);
  }
  return n;
}

/** Runs a bench's main, always cleans up, and exits 0 only when it reported success. */
export async function runBench(main: () => Promise<boolean>, cleanUp: () => Promise<void>): Promise<never> {
  let ok = false;
  try {
    ok = await main();
  } catch (err) {
    console.error(`bench failed: ${(err as Error).stack ?? err}`);
  } finally {
    await cleanUp();
  }
  process.exit(ok ? 0 : 1);
}
