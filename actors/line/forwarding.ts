import type { Clock, Log } from '../log.ts';
import type { ForwardingRecord, Store } from '../store.ts';
import { LineError, within, type SimLines } from './port.ts';

/**
 * A Russian number to forward calls to, as the spec asks ("RUSSIAN_PHONE_NUMBER"):
 * +7 and ten digits of a Russian zone (3xx, 4xx, 8xx, 9xx; +7 6xx and 7xx are
 * Kazakhstan's). `+7…`, `8…` and the bare ten digits are taken; spaces,
 * dashes and brackets are ignored. Undefined for anything else.
 */
export function russianNumber(text: string): string | undefined {
  const digits = text.trim().replace(/[\s()-]/g, '').replace(/^\+/, '');
  if (!/^\d{10,11}$/.test(digits)) return undefined;
  const full = digits.length === 10 ? `7${digits}` : digits.startsWith('8') ? `7${digits.slice(1)}` : digits;
  return /^7[3489]\d{9}$/.test(full) ? full : undefined;
}

/** The activation forwarding is asked for: an order made with forward=1. */
export interface ForwardedActivation {
  id: number;
  accountId: number;
  iccid: string;
  phone: string;
  forwarding: boolean;
}

export interface ForwarderOptions {
  store: Store;
  lines: SimLines;
  clock: Clock;
  log: Log;
  /** How long one attempt may take before it counts as failed. */
  timeoutMs: number;
  /** Attempts while the SIM is unreachable or its network silent; a refusal is final at once. */
  attempts?: number;
  retryMs?: number;
}

export type ForwardOutcome =
  | { ok: true; forwarding: ForwardingRecord }
  | { ok: false; code: 'badNumber' | 'notForwarding' };

/**
 * Sets unconditional call forwarding (AT+CCFC reason 0) on an activation's SIM.
 * The request is stored `pending` before anything is sent and the outcome
 * (`set` or `failed`, with why) after, so a client can see whether it took and
 * a restart takes up what was in flight (registering the same forwarding
 * twice changes nothing). Forwarding stays after the activation ends: calls to
 * the number keep reaching its buyer, as the spec's Avito+Redirection means.
 */
export class Forwarder {
  readonly #o: ForwarderOptions;
  /** One run at a time per activation: a second request waits for the first, and the newest number wins. */
  readonly #runs = new Map<number, Promise<void>>();
  /** Waits between attempts: stop() ends them at once. */
  readonly #waits = new Map<NodeJS.Timeout, () => void>();
  #stopped = false;

  constructor(options: ForwarderOptions) {
    this.#o = options;
  }

  /** Stores the request and starts setting it; the outcome is stored when the network answers. */
  async request(activation: ForwardedActivation, number: string): Promise<ForwardOutcome> {
    const to = russianNumber(number);
    if (!to) return { ok: false, code: 'badNumber' };
    if (!activation.forwarding) return { ok: false, code: 'notForwarding' };
    const forwarding: ForwardingRecord = {
      activationId: activation.id, accountId: activation.accountId, iccid: activation.iccid, phone: activation.phone,
      to, state: 'pending', error: null, attempts: 0, requestedAt: this.#o.clock.now(), doneAt: null,
    };
    await this.#o.store.saveForwarding(forwarding);
    this.#start(forwarding);
    return { ok: true, forwarding };
  }

  /** Takes up the requests a stopped server left pending. */
  async resume(): Promise<number> {
    const pending = await this.#o.store.forwardings({ state: 'pending', limit: 10_000 });
    for (const f of pending) this.#start(f);
    return pending.length;
  }

  /** Resolves once the runs started so far have ended (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#runs.size > 0) await Promise.all([...this.#runs.values()]);
  }

  stop() {
    this.#stopped = true;
    for (const [timer, done] of this.#waits) {
      clearTimeout(timer);
      done();
    }
    this.#waits.clear();
  }

  #start(f: ForwardingRecord) {
    const before = this.#runs.get(f.activationId) ?? Promise.resolve();
    const run = before.then(() => this.#run(f)).catch((err: unknown) => {
      this.#o.log.error({ err, activationId: f.activationId }, 'call forwarding outcome not stored');
    });
    this.#runs.set(f.activationId, run);
    void run.then(() => {
      if (this.#runs.get(f.activationId) === run) this.#runs.delete(f.activationId);
    });
  }

  async #run(f: ForwardingRecord) {
    const { store, lines, clock, log, timeoutMs, attempts = 3, retryMs = 5_000 } = this.#o;
    for (let attempt = 1; !this.#stopped; attempt++) {
      let error: LineError;
      try {
        const sim = await store.simByIccid(f.iccid);
        if (!sim || sim.phone !== f.phone) throw new LineError('LINE_REFUSED', 'the SIM of this number is no longer in the farm');
        await within(timeoutMs, 'call forwarding', lines.setForwarding(sim, f.to));
        await store.saveForwarding({ ...f, state: 'set', error: null, attempts: attempt, doneAt: clock.now() });
        log.info({ activationId: f.activationId, iccid: f.iccid }, 'call forwarding set');
        return;
      } catch (err) {
        error = err instanceof LineError ? err : new LineError('LINE_REFUSED', (err as Error).message);
      }
      if (error.code === 'LINE_REFUSED' || attempt >= attempts) {
        await store.saveForwarding({ ...f, state: 'failed', error: error.message, attempts: attempt, doneAt: clock.now() });
        log.warn({ activationId: f.activationId, iccid: f.iccid, error: error.message }, 'call forwarding failed');
        return;
      }
      await new Promise<void>((done) => {
        const timer = setTimeout(() => {
          this.#waits.delete(timer);
          done();
        }, retryMs);
        this.#waits.set(timer, done);
      });
    }
  }
}
