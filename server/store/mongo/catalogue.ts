import type { Announcement, PriceRow } from '../../../actors/index.ts';
import { IdSequence, put } from './ids.ts';
import type { Models } from './models.ts';

/** Prices, SMS rules, settings and announcements: admins' words, the last writer winning. */
export class Catalogue {
  readonly #m: Models;
  readonly #announcementIds: IdSequence;

  constructor(m: Models) {
    this.#m = m;
    this.#announcementIds = new IdSequence(m.announcements);
  }

  async setPrice(service: string, country: string, price: number) {
    await put(this.#m.prices, `${service}|${country}`, { service, country, price });
  }
  async prices(): Promise<PriceRow[]> {
    const rows = await this.#m.prices.find({}).sort({ service: 1, country: 1 }).lean<PriceRow[]>();
    return rows.map((p) => ({ service: p.service, country: p.country, price: p.price }));
  }
  async setRentPrice(country: string, price: number) {
    await put(this.#m.rentPrices, country, { price });
  }

  async setRule(service: string, rule: { match: string; code?: string | undefined }) {
    await put(this.#m.rules, service, { match: rule.match, code: rule.code ?? null });
  }
  async rules(): Promise<Map<string, { match: string; code?: string }>> {
    const all = await this.#m.rules.find({}).lean<{ _id: string; match: string; code: string | null }[]>();
    return new Map(all.map((r) => [r._id, r.code === null || r.code === undefined ? { match: r.match } : { match: r.match, code: r.code }]));
  }

  async addAnnouncement(text: string, at: number): Promise<Announcement> {
    return { id: await this.#announcementIds.insert((id) => ({ _id: id, text, at })), text, at };
  }
  async announcements(): Promise<Announcement[]> {
    const all = await this.#m.announcements.find({}).sort({ _id: -1 }).lean<{ _id: number; text: string; at: number }[]>();
    return all.map((a) => ({ id: a._id, text: a.text, at: a.at }));
  }

  async setting(key: string): Promise<string | undefined> {
    return (await this.#m.settings.findById(key).lean<{ value: string }>())?.value;
  }
  async setSetting(key: string, value: string) {
    await put(this.#m.settings, key, { value });
  }
}
