import type { ActivationOrder } from '../../../actors/index.ts';
import { insertOnce } from './ids.ts';
import type { Models } from './models.ts';
import type { SimDoc } from './records.ts';

/** The SIM an order got, with its price there. */
export interface Pick {
  iccid: string;
  phone: string;
  country: string;
  operator: string;
  price: number;
}

export const holdId = (iccid: string, service: string) => `h:${iccid}:${service}`;
export const useId = (iccid: string, service: string) => `u:${iccid}:${service}`;
/** A live rent's hold on its SIM: one per SIM, for every service. */
export const rentHoldId = (iccid: string) => `r:${iccid}`;
/** Claims that hold a SIM (and so its channel) while they live. */
export const holding = { $in: ['hold', 'rent'] as ('hold' | 'rent')[] };

/** SIMs looked at per query while walking from the cursor. */
const batch = 64;

type Found = { sim: SimDoc; price: number } | undefined;

/**
 * Which SIM an order gets, and its claim. A claim is the insert of the SIM's
 * hold for the service, so two orders (in any processes) never both get one.
 * What the insert cannot guard — the SIM used up for the service meanwhile, or
 * its channel promised to another slot — is checked after it, and the hold
 * given back when the check fails: of two orders racing on one channel, the
 * second to check sees the first one's hold.
 */
export class Allocation {
  readonly #m: Models;
  /** Per service and country: the seq of the SIM the last order took, so the walk does not rescan sold SIMs. */
  readonly #cursors = new Map<string, number>();
  /** Orders for one service pick one after another in this process, each starting where the last one took. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(m: Models) {
    this.#m = m;
  }

  /**
   * A free SIM for a new order: the first one the walk finds decides between a
   * number and `noBalance` (its price against `balance`), as the SQLite store
   * does. `reserve` gives the activation id, once, just before the first claim.
   */
  claimFree(order: ActivationOrder, balance: number, reserve: () => Promise<number>): Promise<Pick | 'noNumbers' | 'noBalance'> {
    return this.#serially(order.service, async () => {
      const prices = await this.#prices(order);
      if (prices.size === 0) return 'noNumbers';
      const base = await this.#baseFilter(order, prices);
      const cursor = `${order.service}|${order.filter.country ?? ''}`;
      const after = this.#cursors.get(cursor) ?? 0;
      const walks: Record<string, unknown>[] = [
        { ...base, online: true, seq: { $gt: after } },
        ...(after > 0 ? [{ ...base, online: true, seq: { $lte: after } }] : []),
        // Rare (the farm's active SIMs are all taken): SIMs waiting in standby slots, sold by switching their channel.
        {
          ...base, standby: true, phone: { ...(base.phone as object | undefined), $ne: '' },
          channel: { $in: await this.readyChannels() },
        },
      ];
      let id: number | undefined;
      let first = true;
      for (const walk of walks) {
        for (let from = -1; ;) {
          const found = await this.#next(walk, from, order.service, prices);
          if (!found) break;
          from = found.sim.seq;
          // The channel rule is checked again after the claim; before it, it only spares a claim or a wrong noBalance.
          if ((walk.standby || found.price > balance) && (await this.channelRefuses(found.sim))) continue;
          if (first && found.price > balance) return 'noBalance';
          first = false;
          id ??= await reserve();
          if (!(await this.#claim(found.sim, order.service, id))) continue;
          if (walk.online) this.#cursors.set(cursor, found.sim.seq);
          return { iccid: found.sim._id, phone: found.sim.phone, country: found.sim.country, operator: found.sim.operator, price: found.price };
        }
      }
      return 'noNumbers';
    });
  }

  /**
   * The SIM of a repeat: servable now, and held by no live activation for the
   * service (`busy`). The repeat's hold marks the SIM used for the service, as
   * the activation it repeats did.
   */
  async claimRepeat(order: ActivationOrder & { repeat: { iccid: string } }, reserve: () => Promise<number>): Promise<Pick | 'noNumbers' | 'busy'> {
    const sim = await this.#m.sims.findById(order.repeat.iccid).lean<SimDoc>();
    if (!sim || !(sim.online || (sim.standby && sim.phone !== ''))) return 'noNumbers';
    if ((await this.channelRefuses(sim)) || (await this.#m.claims.exists({ _id: rentHoldId(sim._id) }))) return 'noNumbers';
    if (await this.#m.claims.exists({ _id: holdId(sim._id, order.service) })) return 'busy';
    const id = await reserve();
    if (!(await this.#hold(sim, order.service, id))) return 'busy';
    await insertOnce(this.#m.claims, { _id: useId(sim._id, order.service), kind: 'use', iccid: sim._id, service: order.service, at: order.createdAt });
    if ((await this.channelRefuses(sim)) || (await this.#m.claims.exists({ _id: rentHoldId(sim._id) }))) {
      await this.release(sim._id, order.service, id);
      return 'noNumbers';
    }
    return { iccid: sim._id, phone: sim.phone, country: sim.country, operator: sim.operator, price: 0 };
  }

  /** Gives back an activation's hold (only its own). */
  async release(iccid: string, service: string, activationId: number) {
    await this.#m.claims.deleteOne({ _id: holdId(iccid, service), activationId });
  }

  /** Gives back every hold of an order that was never made (a crash may have left one its record does not name). */
  async releaseAll(activationId: number) {
    await this.#m.claims.deleteMany({ kind: 'hold', activationId });
  }

  /** The activation's hold becomes the SIM's use for the service, for good. */
  async spend(iccid: string, service: string, activationId: number, at: number) {
    if (!(await this.#m.claims.exists({ _id: holdId(iccid, service), activationId }))) return;
    await insertOnce(this.#m.claims, { _id: useId(iccid, service), kind: 'use', iccid, service, at });
    await this.release(iccid, service, activationId);
  }

  /** The next SIM of a walk after seq `from` with no hold or use for the service. */
  async #next(walk: Record<string, unknown>, from: number, service: string, prices: Map<string, number>): Promise<Found> {
    for (;;) {
      const seq = walk.seq as Record<string, number> | undefined;
      const filter = { ...walk, seq: { ...seq, $gt: Math.max(from, seq?.$gt ?? -1) } };
      const sims = await this.#m.sims.find(filter).sort({ seq: 1 }).limit(batch).lean<SimDoc[]>();
      if (sims.length === 0) return undefined;
      const ids = sims.flatMap((s) => [holdId(s._id, service), useId(s._id, service), rentHoldId(s._id)]);
      const taken = new Set((await this.#m.claims.find({ _id: { $in: ids } }, { iccid: 1 }).lean<{ iccid: string }[]>()).map((c) => c.iccid));
      const sim = sims.find((s) => !taken.has(s._id));
      if (sim) return { sim, price: prices.get(sim.country)! };
      from = sims[sims.length - 1]!.seq;
    }
  }

  /** Claims a SIM found by a walk: its hold, then the checks the insert cannot make. */
  async #claim(sim: SimDoc, service: string, activationId: number): Promise<boolean> {
    if (!(await this.#hold(sim, service, activationId))) return false;
    const takenMeanwhile = (await this.#m.claims.exists({ _id: { $in: [useId(sim._id, service), rentHoldId(sim._id)] } })) !== null;
    if (takenMeanwhile || (await this.channelRefuses(sim))) {
      await this.release(sim._id, service, activationId);
      return false;
    }
    return true;
  }

  #hold(sim: SimDoc, service: string, activationId: number) {
    return insertOnce(this.#m.claims, {
      _id: holdId(sim._id, service), kind: 'hold', iccid: sim._id, service, activationId, viaStandby: !sim.online, at: Date.now(),
    });
  }

  /**
   * A channel serves one slot at a time: a SIM in its active slot is refused
   * while a standby SIM of its channel is held; a standby SIM unless its
   * channel is ready and no other SIM of it is held. A live rent holds as an activation does.
   */
  async channelRefuses(sim: SimDoc): Promise<boolean> {
    const others = sim.online
      ? { channel: sim.channel, standby: true, _id: { $ne: sim._id } }
      : { channel: sim.channel, _id: { $ne: sim._id } };
    if (!sim.online && !(await this.#m.channels.exists({ _id: sim.channel, state: 'ready' }))) return true;
    const iccids = (await this.#m.sims.find(others, { _id: 1 }).lean<{ _id: string }[]>()).map((s) => s._id);
    return iccids.length > 0 && (await this.#m.claims.exists({ kind: holding, iccid: { $in: iccids } })) !== null;
  }

  /** Country → price of the service, within the order's country. */
  async #prices(order: ActivationOrder): Promise<Map<string, number>> {
    const filter = order.filter.country ? { service: order.service, country: order.filter.country } : { service: order.service };
    const rows = await this.#m.prices.find(filter).lean<{ country: string; price: number }[]>();
    return new Map(rows.map((r) => [r.country, r.price]));
  }

  /** What every walk asks of a SIM, besides being online or on standby. */
  async #baseFilter(order: ActivationOrder, prices: Map<string, number>): Promise<Record<string, unknown>> {
    const filter: Record<string, unknown> = { country: { $in: [...prices.keys()] } };
    if (order.filter.operators?.length) filter.operator = { $in: order.filter.operators };
    if (order.forwarding) filter.canForward = true;
    const phones = await this.blacklisted(order.accountId);
    if (phones.length) filter.phone = { $nin: phones };
    return filter;
  }

  async blacklisted(accountId: number): Promise<string[]> {
    return (await this.#m.blacklist.find({ accountId }, { phone: 1 }).lean<{ phone: string }[]>()).map((b) => b.phone);
  }

  async readyChannels(): Promise<string[]> {
    return (await this.#m.channels.find({ state: 'ready' }, { _id: 1 }).lean<{ _id: string }[]>()).map((c) => c._id);
  }

  async #serially<T>(key: string, step: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(key) ?? Promise.resolve();
    const run = before.then(step, step);
    const tail = run.catch(() => undefined);
    this.#queues.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#queues.get(key) === tail) this.#queues.delete(key);
    }
  }
}
