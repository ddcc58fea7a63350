import type { AddressType } from './address.ts';
import type { DecodedPdu } from './deliver.ts';
import { fingerprint } from './fingerprint.ts';
import { textOf } from './text.ts';

/** A whole message out of reassembly, or what arrived of one before its timeout. */
export interface ReassembledSms<Ref = number> {
  iccid: string;
  from: string;
  fromType: AddressType;
  text: string;
  /** SCTS of the earliest part present, epoch ms. */
  scts: number;
  /** Clock time when its first part was added. */
  receivedAt: number;
  /** Parts the message has (1 for a single SMS). */
  total: number;
  /** Part numbers that never arrived; empty when complete. */
  missing: number[];
  incomplete: boolean;
  /** Storage references (e.g. SIM indexes) of every part read, duplicates included: delete these once stored. */
  storage: Ref[];
  fingerprint: string;
}

export interface ReassemblerOptions {
  /** How long to wait for missing parts, from the first part's arrival. Default 10 minutes (gammu: 600 s). */
  timeoutMs?: number;
  /** Most messages waiting for parts at once; past it the oldest is delivered incomplete. Default 1000. */
  maxPending?: number;
  /** The clock. Default Date.now. */
  now?: () => number;
  /** Stands in the text for each gap of missing parts. Default "[…]". */
  missingMark?: string;
}

interface Group<Ref> {
  iccid: string;
  total: number;
  since: number;
  parts: Map<number, DecodedPdu>;
  storage: Ref[];
}

const sameCoding = (a: DecodedPdu, b: DecodedPdu) => a.dcs.alphabet === b.dcs.alphabet && a.udh?.singleShift === b.udh?.singleShift;
/** The same part: same coding and the same user data. */
const same = (a: DecodedPdu | undefined, b: DecodedPdu) =>
  a !== undefined && sameCoding(a, b) && a.userData.length === b.userData.length && a.userData.every((x, i) => x === b.userData[i]);

/**
 * Joins the parts of concatenated SMSes. Parts are keyed by (receiving ICCID,
 * sender, reference width, reference, part count), as ModemManager keys them
 * plus the SIM; they may come in any order and more than once. The user data
 * of adjacent parts is joined before decoding, so a surrogate pair or an
 * escape split between two parts reads whole.
 */
export class Reassembler<Ref = number> {
  readonly #groups = new Map<string, Group<Ref>>();
  /** Messages already delivered, kept for one timeout so a late copy of one of their parts is recognised. */
  readonly #delivered = new Map<string, { until: number; parts: Map<number, DecodedPdu>; message: ReassembledSms<Ref> }>();
  readonly #timeoutMs: number;
  readonly #maxPending: number;
  readonly #now: () => number;
  readonly #mark: string;

  constructor(options: ReassemblerOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 600_000;
    this.#maxPending = options.maxPending ?? 1000;
    this.#now = options.now ?? Date.now;
    this.#mark = options.missingMark ?? '[…]';
    if (!(this.#timeoutMs > 0) || !Number.isFinite(this.#timeoutMs)) throw new RangeError('timeoutMs must be a positive number');
    if (!Number.isInteger(this.#maxPending) || this.#maxPending < 1) throw new RangeError('maxPending must be a positive integer');
  }

  /** Messages waiting for parts. */
  get pending(): number {
    return this.#groups.size;
  }

  /**
   * Adds one part read from `iccid`'s SIM at storage reference `storage`.
   * Returns every message ready now: this one if it is complete (a single
   * SMS at once), and any that timed out or were pushed out by the bound.
   */
  add(iccid: string, pdu: DecodedPdu, storage: Ref): ReassembledSms<Ref>[] {
    const ready = this.expire();
    const concat = pdu.concat;
    if (!concat || concat.total === 1) {
      ready.push(this.#assemble({ iccid, total: 1, since: this.#now(), parts: new Map([[1, pdu]]), storage: [storage] }));
      return ready;
    }
    const key = JSON.stringify([iccid, pdu.from, concat.refBits, concat.ref, concat.total]);
    let group = this.#groups.get(key);
    const late = this.#delivered.get(key);
    if (!group && late && same(late.parts.get(concat.part), pdu)) {
      // A copy of a part of a message already delivered (a sweep re-read it before it was deleted):
      // the same message again, with this copy's storage, so the caller's store drops it and deletes the copy.
      ready.push({ ...late.message, storage: [storage] });
      return ready;
    }
    const seen = group?.parts.get(concat.part);
    if (group && seen && !same(seen, pdu)) {
      // Same key and part number, other content: the reference wrapped round to a new message. Close the old one.
      ready.push(this.#close(key, group));
      group = undefined;
    }
    if (!group) {
      group = { iccid, total: concat.total, since: this.#now(), parts: new Map(), storage: [] };
      this.#groups.set(key, group);
    }
    if (!group.parts.has(concat.part)) group.parts.set(concat.part, pdu);
    if (!group.storage.includes(storage)) group.storage.push(storage);
    if (group.parts.size === group.total) ready.push(this.#close(key, group));
    while (this.#groups.size > this.#maxPending) {
      const [oldest, evicted] = this.#groups.entries().next().value!;
      ready.push(this.#close(oldest, evicted));
    }
    return ready;
  }

  /** Messages whose wait for missing parts is over, delivered with what arrived and flagged incomplete. */
  expire(): ReassembledSms<Ref>[] {
    const now = this.#now();
    const ready: ReassembledSms<Ref>[] = [];
    for (const [key, group] of this.#groups) if (group.since + this.#timeoutMs <= now) ready.push(this.#close(key, group));
    for (const [key, { until }] of this.#delivered) if (until <= now) this.#delivered.delete(key);
    return ready;
  }

  /** When the next waiting message times out (epoch ms), for the caller's timer; undefined when none waits. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const group of this.#groups.values()) next = Math.min(next ?? Infinity, group.since + this.#timeoutMs);
    return next;
  }

  #close(key: string, group: Group<Ref>): ReassembledSms<Ref> {
    this.#groups.delete(key);
    const message = this.#assemble(group);
    this.#delivered.delete(key); // re-inserted last: the map stays oldest first
    this.#delivered.set(key, { until: this.#now() + this.#timeoutMs, parts: group.parts, message });
    if (this.#delivered.size > this.#maxPending) this.#delivered.delete(this.#delivered.keys().next().value!);
    return message;
  }

  #assemble(group: Group<Ref>): ReassembledSms<Ref> {
    const missing: number[] = [];
    let text = '';
    let run: DecodedPdu[] = [];
    const flush = () => {
      if (run.length === 0) return;
      const joined = Buffer.concat(run.map((p) => p.userData));
      text += textOf(run[0]!.dcs.alphabet, joined, run[0]!.udh?.singleShift);
      run = [];
    };
    for (let n = 1; n <= group.total; n++) {
      const part = group.parts.get(n);
      if (!part) {
        flush();
        if (missing.at(-1) !== n - 1) text += this.#mark; // one mark per gap
        missing.push(n);
        continue;
      }
      if (run.length > 0 && !sameCoding(run[0]!, part)) flush();
      run.push(part);
    }
    flush();
    const earliest = group.parts.get(Math.min(...group.parts.keys()))!;
    const { iccid } = group;
    const { from, fromType, scts } = earliest;
    return {
      iccid, from, fromType, text, scts, receivedAt: group.since, total: group.total, missing,
      incomplete: missing.length > 0, storage: group.storage, fingerprint: fingerprint({ iccid, from, scts, text }),
    };
  }
}
