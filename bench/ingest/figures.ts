import type { Kind } from './sms-mix.ts';

/** One SMS's latency; for getsms also its exchange's bytes, their time on the wire and the SIM's phone. */
export interface Sample { kind: Kind; ms: number; floorMs?: number; bytes?: number; phone?: string }

/** The statistics of a set of samples, rounded to 0.01. */
export interface Figures { n: number; p50: number; p90: number; p99: number; max: number; min: number; mean: number }

/** Percentiles (nearest rank), min, max and mean; undefined for no samples. */
export function figures(values: number[]): Figures | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  const r = (n: number) => Math.round(n * 100) / 100;
  return {
    n: s.length, p50: r(at(0.5)), p90: r(at(0.9)), p99: r(at(0.99)), max: r(s.at(-1)!), min: r(s[0]!),
    mean: r(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

/** A duration for people: ms with one decimal, seconds from 1 s on. */
export const f1 = (n: number | undefined) => (n === undefined ? '—' : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`);

/** One line of the report: a reader's name and its figures. */
export const row = (name: string, f: Figures | undefined) =>
  `  ${name.padEnd(34)} ${f ? `n=${String(f.n).padStart(3)}  p50 ${f1(f.p50).padStart(9)}  p90 ${f1(f.p90).padStart(9)}  ` +
    `p99 ${f1(f.p99).padStart(9)}  max ${f1(f.max).padStart(9)}` : 'not measured'}`;
