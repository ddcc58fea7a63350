import { balanceUssdCodes, balanceUssdSetting } from '../catalogue/index.ts';
import type { Clock, Log } from '../log.ts';
import type { Kopecks } from '../money.ts';
import type { Sim, Store } from '../store.ts';
import { balanceIn } from './amount.ts';
import { within, type SimLines } from './port.ts';

export interface NumberBalanceOptions {
  store: Store;
  lines: SimLines;
  clock: Clock;
  log: Log;
  /** How long the operator may take to answer the balance USSD before it counts as failed. */
  timeoutMs: number;
  /** After a failure, how long the number's balance is not asked again (the spec's 10 minutes). */
  backoffMs: number;
  /** How long an answer is given again before the operator is asked anew. */
  freshMs: number;
}

/** What a client hears about a number's balance; the gateway turns each into the spec's word. */
export type BalanceAnswer =
  | { kind: 'accepted' }
  | { kind: 'balance'; amount: Kopecks }
  | { kind: 'wrongNumber' }
  | { kind: 'cannot' }
  | { kind: 'temporary' };

type Query = { state: 'running' } | { state: 'done'; amount: Kopecks; at: number } | { state: 'failed'; at: number };

/** The operator's balance code for a SIM: an admin's setting first (`none`: there is none), else the catalogue's. */
export async function balanceCode(store: Store, sim: Pick<Sim, 'country' | 'operator'>): Promise<string | undefined> {
  const own = await store.setting(balanceUssdSetting(sim.country, sim.operator));
  if (own !== undefined) return own === 'none' ? undefined : own;
  return balanceUssdCodes[`${sim.country}/${sim.operator}`];
}

/**
 * getNumberBalance: the balance of a SIM whose number the account used with
 * call forwarding (forwarding costs the SIM's money, so its buyer watches it),
 * asked of the operator by USSD. The USSD runs in the background, one per SIM
 * at a time: the first ask is answered "accepted", later ones the same until
 * the reply is in, then the amount (for `freshMs`). A USSD that fails, is
 * refused, or gets no answer within `timeoutMs` makes the number "temporary"
 * for `backoffMs`, as the spec says. Kept in memory: a restart forgets a
 * back-off, which only lets the operator be asked once more.
 */
export class NumberBalance {
  readonly #o: NumberBalanceOptions;
  readonly #queries = new Map<string, Query>();

  constructor(options: NumberBalanceOptions) {
    this.#o = options;
  }

  async ask(accountId: number, phone: string): Promise<BalanceAnswer> {
    const { store, clock, freshMs, backoffMs } = this.#o;
    const [used] = await store.forwardings({ accountId, phone, state: 'set', limit: 1 });
    if (!used) return { kind: 'wrongNumber' };
    const sim = await store.simByIccid(used.iccid);
    // "while we not change this sim card": the SIM it was is gone, or the number is on another SIM now.
    if (!sim || sim.phone !== phone) return { kind: 'cannot' };
    const code = await balanceCode(store, sim);
    if (!code) return { kind: 'cannot' };
    const now = clock.now();
    const q = this.#queries.get(sim.iccid);
    if (q?.state === 'running') return { kind: 'accepted' };
    if (q?.state === 'done' && now - q.at < freshMs) return { kind: 'balance', amount: q.amount };
    if (q?.state === 'failed' && now - q.at < backoffMs) return { kind: 'temporary' };
    // Its channel is down or serves another slot now: nothing to ask through, no back-off either.
    if (!sim.online) return { kind: 'temporary' };
    this.#queries.set(sim.iccid, { state: 'running' });
    void this.#run(sim, code);
    return { kind: 'accepted' };
  }

  async #run(sim: Sim, code: string) {
    const { lines, clock, log, timeoutMs } = this.#o;
    try {
      const reply = await within(timeoutMs, `balance USSD ${code}`, lines.ussd(sim, code));
      const amount = balanceIn(reply);
      if (amount === undefined) throw new Error(`no balance in the operator's reply "${reply.slice(0, 160)}"`);
      this.#queries.set(sim.iccid, { state: 'done', amount, at: clock.now() });
    } catch (err) {
      log.warn({ iccid: sim.iccid, code, error: (err as Error).message }, 'number balance not read');
      this.#queries.set(sim.iccid, { state: 'failed', at: clock.now() });
    }
  }
}
