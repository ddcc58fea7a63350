import type { SimIdentity } from '../farm.ts';
import { defaultUssd } from './at/ussd.ts';
import type { SimulatedSlot } from './port.ts';

/** A simulated network's refusal: the SIM is not in the farm, or the network does not do that. */
export class SimulatedLineError extends Error {
  constructor(
    readonly code: 'SIM_ABSENT' | 'NOT_SUPPORTED',
    message: string,
  ) {
    super(message);
    this.name = 'SimulatedLineError';
  }
}

/**
 * USSD and call forwarding for the in-process simulated farm, which speaks no
 * AT: each SIM answers the USSD codes the AT simulator's SIMs answer (its
 * balance by `*100#` and by its operator's own code, its own number), forwards
 * calls when its operator lets it, and
 * remembers where to. Replies come asynchronously, as a network's do.
 */
export class SimulatedLines {
  readonly #farm: { slots(): readonly SimulatedSlot[] };
  readonly #forwarding = new Map<string, string>();
  readonly #replies = new Map<string, Record<string, string | null>>();

  constructor(farm: { slots(): readonly SimulatedSlot[] }) {
    this.#farm = farm;
  }

  async ussd(sim: { iccid: string }, code: string): Promise<string> {
    const card = await this.#card(sim.iccid);
    const own = this.#replies.get(card.iccid)?.[code];
    if (own === null) return new Promise<string>(() => {}); // the network never answers this one
    const reply = own ?? defaultUssd(card)[code];
    if (reply === undefined) throw new SimulatedLineError('NOT_SUPPORTED', `the network does not know USSD ${code}`);
    return reply;
  }

  async setForwarding(sim: { iccid: string }, to: string | null): Promise<void> {
    const card = await this.#card(sim.iccid);
    if (!card.canForward) throw new SimulatedLineError('NOT_SUPPORTED', 'the operator does not let this SIM forward calls');
    if (to === null) this.#forwarding.delete(card.iccid);
    else this.#forwarding.set(card.iccid, to);
  }

  /** Where a SIM forwards its calls now, if anywhere. */
  forwarding(iccid: string): string | undefined {
    return this.#forwarding.get(iccid);
  }

  /** What a SIM's network answers to a USSD code from now on; null: it never answers. */
  setUssd(iccid: string, code: string, reply: string | null) {
    this.#replies.set(iccid, { ...this.#replies.get(iccid), [code]: reply });
  }

  async #card(iccid: string): Promise<SimIdentity> {
    await new Promise((r) => setImmediate(r));
    const slot = this.#farm.slots().find((s) => s.sim.iccid === iccid);
    if (!slot) throw new SimulatedLineError('SIM_ABSENT', `no simulated SIM ${iccid} in the farm`);
    return slot.sim;
  }
}
