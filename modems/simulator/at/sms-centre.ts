import type { PduOutcome } from './types.ts';
import type { VirtualModem } from './virtual-modem.ts';

/** What the SMS centre did with one message for one SIM. */
export interface Submission {
  parts: number;
  /** SIM storage indices the parts went to, in order. */
  stored: number[];
  /** Parts pushed straight to the host as `+CMT` (CNMI mt=2), not stored. */
  direct: number;
  /** Parts the centre still holds: the SIM is not registered now, or its memory is full. */
  pending: number;
}

/**
 * The network side of the simulated farm (an SMSC). It hands each part to
 * the modem where the SIM is active and registered; a part the modem
 * refuses (no registration, memory full) stays here, and goes again when
 * that SIM becomes ready or frees memory, as a real SMSC retries on the
 * MS's attach or its "memory available" (3GPP TS 23.040 §10.3, SMMA).
 */
export class SmsCentre {
  readonly #pending = new Map<string, string[]>();

  /** `locate(iccid)`: the modem in whose active slot that SIM sits, if any. */
  constructor(readonly locate: (iccid: string) => VirtualModem | undefined, readonly maxHeld = 1_000) {}

  /** Queues `pdus` behind whatever that SIM already has waiting and delivers what it can. */
  submit(iccid: string, pdus: string[]): Submission {
    const queue = this.#pending.get(iccid) ?? [];
    queue.push(...pdus);
    if (queue.length > this.maxHeld) queue.splice(0, queue.length - this.maxHeld); // the oldest expire first
    this.#pending.set(iccid, queue);
    const ahead = Math.max(0, queue.length - pdus.length);
    const mine = this.retry(iccid).slice(ahead);
    return {
      parts: pdus.length,
      stored: mine.flatMap((o) => ('stored' in o ? [o.stored] : [])),
      direct: mine.filter((o) => 'direct' in o).length,
      pending: pdus.length - mine.length,
    };
  }

  /** Delivers what is held for `iccid`, in order, until the modem refuses one; returns what went. */
  retry(iccid: string): PduOutcome[] {
    const queue = this.#pending.get(iccid);
    const modem = this.locate(iccid);
    const went: PduOutcome[] = [];
    while (queue && modem && queue.length > 0) {
      const outcome = modem.receivePdu(queue[0]!);
      if ('refused' in outcome) break;
      queue.shift();
      went.push(outcome);
    }
    if (queue?.length === 0) this.#pending.delete(iccid);
    return went;
  }

  /** Gives up what is held for `iccid` (its SIM went to another farm's network), in order. */
  release(iccid: string): string[] {
    const queue = this.#pending.get(iccid) ?? [];
    this.#pending.delete(iccid);
    return queue;
  }

  /** How many parts are held for `iccid`. */
  held(iccid: string): number {
    return this.#pending.get(iccid)?.length ?? 0;
  }
}
