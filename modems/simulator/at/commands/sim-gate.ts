import { cme, cms } from '../answers.ts';
import type { SimCard } from '../sim-card.ts';
import type { Handler, ModemContext, Reply } from '../types.ts';

/** The error a command answers while the SIM is missing or initialising, per family (27.007 / 27.005). */
const refusals = {
  cme: { absent: () => cme(10), busy: () => cme(14) },
  cms: { absent: () => cms(310), busy: () => cms(314) },
} as const;

/**
 * A handler that needs a ready SIM: `+CME ERROR: 10/14` (or `+CMS ERROR:
 * 310/314` for SMS commands) while there is none or it is still initialising.
 */
export function withSim(
  family: keyof typeof refusals,
  handler: (m: ModemContext, args: readonly string[], sim: SimCard) => Reply,
): Handler {
  return (m, args) => {
    const sim = m.sim;
    if (!sim || m.simState === 'absent') return refusals[family].absent();
    if (m.simState === 'busy') return refusals[family].busy();
    return handler(m, args, sim);
  };
}

/** A whole number in [min, max], else undefined. */
export function intArg(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}
