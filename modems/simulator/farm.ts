import { createHash } from 'node:crypto';
import type { FarmListener, IncomingSms, ModemFarm } from '../farm.ts';
import { simulatedSim } from './identities.ts';
import type { FarmSimulator, SimulatedSlot } from './port.ts';
import { SimulatorError } from './at/index.ts';

export interface SimulatedFarmOptions {
  channels: number;
  slots: number;
  now?: () => number;
  /** How often SMS the domain could not store yet are handed over again (5 s). */
  retryMs?: number;
}

/**
 * A farm of simulated modem channels with a SIM in every slot. It keeps each
 * SMS as a modem keeps it in SIM storage until the domain has stored it, and
 * retries delivery of anything left over, so nothing is lost.
 */
export class SimulatedFarm implements ModemFarm, FarmSimulator {
  readonly kind = 'simulated' as const;
  readonly #slots: SimulatedSlot[] = [];
  readonly #byPhone = new Map<string, SimulatedSlot>();
  readonly #storage = new Map<string, IncomingSms>();
  readonly #now: () => number;
  readonly #retryMs: number;
  #listener: FarmListener | undefined;
  #retry: NodeJS.Timeout | undefined;
  #sequence = 0;

  constructor(options: SimulatedFarmOptions) {
    this.#now = options.now ?? Date.now;
    this.#retryMs = options.retryMs ?? 5_000;
    for (let c = 0; c < options.channels; c++) {
      for (let s = 1; s <= options.slots; s++) {
        const slot = { channel: `sim-${String(c + 1).padStart(3, '0')}`, slot: s, sim: simulatedSim(c * options.slots + s - 1) };
        this.#slots.push(slot);
        this.#byPhone.set(slot.sim.phone, slot);
      }
    }
  }

  async start(listener: FarmListener) {
    this.#listener = listener;
    for (const { channel, slot, sim } of this.#slots) await listener({ type: 'sim.present', channel, slot, sim });
    this.#retry = setInterval(() => void this.#flush(), this.#retryMs);
    this.#retry.unref();
  }

  async stop() {
    clearInterval(this.#retry);
    this.#listener = undefined;
  }

  slots(): readonly SimulatedSlot[] {
    return this.#slots;
  }

  /** An SMS from `from` to the SIM with number (or ICCID) `to`; false when no simulated SIM has that number. */
  async deliver(to: string, from: string, text: string): Promise<boolean> {
    const slot = this.#byPhone.get(to) ?? this.#slots.find((s) => s.sim.iccid === to);
    if (!slot) return false;
    const receivedAt = this.#now();
    const fingerprint = createHash('sha256')
      .update(`${slot.sim.iccid}\0${from}\0${text}\0${receivedAt}\0${++this.#sequence}`)
      .digest('hex');
    const sms: IncomingSms = { iccid: slot.sim.iccid, from, text, receivedAt, fingerprint };
    this.#storage.set(fingerprint, sms);
    if (!(await this.#hand(sms))) {
      // Said, not hidden: the caller must not count it as stored (a restart of this process loses it).
      throw new SimulatorError('SIM_SMS_HELD', `the SMS reached SIM ${slot.sim.iccid} but getsms did not store it; the simulated modem keeps it and hands it over again every ${this.#retryMs / 1000} s`);
    }
    return true;
  }

  /**
   * Moves a SIM to another slot, as an operator's hands would: it leaves its
   * slot (the SIM that sat in the target slot takes its place) and is seen in
   * the new one. False when no such SIM or slot exists.
   */
  async move(iccid: string, channel: string, slot: number): Promise<boolean> {
    const from = this.#slots.find((s) => s.sim.iccid === iccid);
    const to = this.#slots.find((s) => s.channel === channel && s.slot === slot);
    if (!from || !to) return false;
    if (from === to) return true;
    [from.sim, to.sim] = [to.sim, from.sim];
    for (const s of [from, to]) this.#byPhone.set(s.sim.phone, s);
    for (const s of [from, to]) await this.#listener?.({ type: 'sim.present', channel: s.channel, slot: s.slot, sim: s.sim });
    return true;
  }

  /** Messages still in simulated SIM storage (not yet stored by the domain). */
  pending(): number {
    return this.#storage.size;
  }

  async #flush() {
    for (const sms of [...this.#storage.values()]) await this.#hand(sms);
  }

  /** True once the domain has stored it; false while it stays in storage for the next sweep. */
  async #hand(sms: IncomingSms): Promise<boolean> {
    if (!this.#listener) return false;
    try {
      await this.#listener({ type: 'sms.received', sms });
      this.#storage.delete(sms.fingerprint); // stored by the domain: now the modem may delete it
      return true;
    } catch {
      return false; // stays in storage; the next sweep hands it over again
    }
  }
}
