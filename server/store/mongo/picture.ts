import type { AvailabilityQuery, SimFilter } from '../../../actors/index.ts';
import type { Models } from './models.ts';
import type { SimDoc } from './records.ts';

interface ClaimDoc { kind: 'hold' | 'use' | 'rent'; iccid: string; service: string }

/**
 * The farm as the counts see it: SIMs that could be sold now, with what
 * holds them. Read in a few queries and judged here, the same rules the
 * allocation checks one SIM at a time (see Allocation.channelRefuses).
 */
export class FarmPicture {
  readonly #sims: SimDoc[];
  readonly #claims: ClaimDoc[];
  readonly #held = new Map<string, string[]>(); // channel → its held SIMs
  readonly #standbyHeld = new Set<string>(); // channels with a held SIM on standby
  readonly #ready: Set<string>;

  private constructor(sims: SimDoc[], claims: ClaimDoc[], held: Pick<SimDoc, '_id' | 'channel' | 'standby'>[], ready: string[]) {
    this.#sims = sims;
    this.#claims = claims;
    this.#ready = new Set(ready);
    for (const h of held) {
      this.#held.set(h.channel, [...(this.#held.get(h.channel) ?? []), h._id]);
      if (h.standby) this.#standbyHeld.add(h.channel);
    }
  }

  static async read(m: Models, filter: SimFilter): Promise<FarmPicture> {
    const query: Record<string, unknown> = { $or: [{ online: true }, { standby: true, phone: { $ne: '' } }] };
    if (filter.country) query.country = filter.country;
    if (filter.operators?.length) query.operator = { $in: filter.operators };
    const [sims, claims, ready] = await Promise.all([
      m.sims.find(query).sort({ seq: 1 }).lean<SimDoc[]>(),
      m.claims.find({}, { _id: 0, kind: 1, iccid: 1, service: 1 }).lean<ClaimDoc[]>(),
      m.channels.find({ state: 'ready' }, { _id: 1 }).lean<{ _id: string }[]>(),
    ]);
    const heldIccids = [...new Set(claims.filter((c) => c.kind !== 'use').map((c) => c.iccid))];
    const held = heldIccids.length
      ? await m.sims.find({ _id: { $in: heldIccids } }, { channel: 1, standby: 1 }).lean<Pick<SimDoc, '_id' | 'channel' | 'standby'>[]>()
      : [];
    return new FarmPicture(sims, claims, held, ready.map((c) => c._id));
  }

  /** Free SIMs per service (priced in the SIM's country), for an account whose blacklist is `phones`. */
  availability(prices: { service: string; country: string }[], phones: string[]): Map<string, { any: number; forwarding: number }> {
    const services = new Map<string, string[]>();
    for (const p of prices) services.set(p.country, [...(services.get(p.country) ?? []), p.service]);
    const taken = new Set(this.#claims.filter((c) => c.kind !== 'rent').map((c) => `${c.iccid}:${c.service}`));
    const rented = new Set(this.#claims.filter((c) => c.kind === 'rent').map((c) => c.iccid));
    const blacklisted = new Set(phones);
    const counts = new Map<string, { any: number; forwarding: number }>();
    for (const s of this.#sims) {
      if (blacklisted.has(s.phone) || rented.has(s._id) || !this.#servable(s)) continue;
      for (const service of services.get(s.country) ?? []) {
        if (taken.has(`${s._id}:${service}`)) continue;
        const c = counts.get(service) ?? { any: 0, forwarding: 0 };
        c.any++;
        if (s.canForward) c.forwarding++;
        counts.set(service, c);
      }
    }
    return counts;
  }

  /** SIMs a rent could take: servable, rent priced in their country, and held by nothing. */
  rentable(rentCountries: Set<string>): SimDoc[] {
    const holding = new Set(this.#claims.filter((c) => c.kind !== 'use').map((c) => c.iccid));
    return this.#sims.filter((s) => rentCountries.has(s.country) && !holding.has(s._id) && this.#servable(s));
  }

  #servable(s: SimDoc): boolean {
    if (s.online) return !this.#standbyHeld.has(s.channel);
    return this.#ready.has(s.channel) && !(this.#held.get(s.channel) ?? []).some((iccid) => iccid !== s._id);
  }
}

/** Free SIMs per service under a filter, for one account. */
export async function availability(m: Models, query: AvailabilityQuery) {
  const [picture, prices, phones] = await Promise.all([
    FarmPicture.read(m, query.filter),
    m.prices.find(query.filter.country ? { country: query.filter.country } : {}).lean<{ service: string; country: string }[]>(),
    m.blacklist.find({ accountId: query.accountId }, { phone: 1 }).lean<{ phone: string }[]>(),
  ]);
  return picture.availability(prices, phones.map((b) => b.phone));
}
