import type { SimMove, Store } from '../store.ts';

/** A SIM number as operators type it: the country code and 10–15 digits in all, `+` optional. */
export function simNumber(text: string): string | undefined {
  const phone = text.trim().replace(/^\+/, '');
  return /^\d{10,15}$/.test(phone) ? phone : undefined;
}

export type MoveOutcome = { ok: true; move: SimMove } | { ok: false; code: 'noSim' | 'badTarget' };

/** Records that a SIM goes to another slot (from where the inventory last saw it); done once it is seen there. */
export async function recordSimMove(
  store: Store,
  req: { iccid: string; channel: string; slot: number; by: number; at: number },
): Promise<MoveOutcome> {
  const sim = await store.simByIccid(req.iccid);
  if (!sim) return { ok: false, code: 'noSim' };
  if (req.channel === '' || !Number.isInteger(req.slot) || req.slot < 1 || req.slot > 64) return { ok: false, code: 'badTarget' };
  const move = await store.recordMove({
    iccid: req.iccid, from: { channel: sim.channel, slot: sim.slot }, to: { channel: req.channel, slot: req.slot },
    requestedBy: req.by, at: req.at,
  });
  return { ok: true, move };
}

export type NumberOutcome = { ok: true; phone: string } | { ok: false; code: 'badPhone' | 'noSim' };

/** An operator tells a SIM's number; its channel puts the SIM on sale at its next sweep. */
export async function tellSimNumber(store: Store, iccid: string, text: string): Promise<NumberOutcome> {
  const phone = simNumber(text);
  if (!phone) return { ok: false, code: 'badPhone' };
  return (await store.setSimPhone(iccid, phone)) ? { ok: true, phone } : { ok: false, code: 'noSim' };
}
