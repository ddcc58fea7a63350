import type { IncomingSms } from '../../modems/index.ts';
import type { ActivationRegistry } from '../registry/index.ts';
import type { RentRegistry } from '../rent/index.ts';
import { SmsRules } from '../sms/index.ts';
import type { FarmNewsListener } from '../farm/news.ts';
import type { Log } from '../log.ts';
import type { SmsRecord, Store } from '../store.ts';

export interface InboxOptions {
  store: Store;
  registry: ActivationRegistry;
  /** Rented numbers: a rented SIM's every SMS goes to its live rent. */
  rents?: RentRegistry;
  log: Log;
  /** How often admins' rule changes are picked up (another process may write them). */
  rulesRefreshMs?: number;
  /** Told of every newly stored SMS once it is routed (the operators' raw feed); a re-read duplicate is not news. */
  news?: FarmNewsListener;
}

/**
 * Where every SMS lands: stored first (once, by fingerprint), then routed to
 * the live activations on its SIM whose service it names, or to a catch-all
 * ("not in list") activation when it names none; and, whoever sent it and
 * whatever it says, to the live rent of its SIM. An SMS nobody takes stays on
 * the SIM's record.
 */
export class Inbox {
  readonly #o: InboxOptions;
  #rules = new SmsRules();
  #refresh: NodeJS.Timeout | undefined;

  constructor(options: InboxOptions) {
    this.#o = options;
  }

  async start() {
    await this.reloadRules();
    this.#refresh = setInterval(() => void this.reloadRules().catch(() => {}), this.#o.rulesRefreshMs ?? 5_000);
    this.#refresh.unref();
  }

  stop() {
    clearInterval(this.#refresh);
  }

  async reloadRules() {
    this.#rules = new SmsRules(await this.#o.store.rules());
  }

  /** Resolves once the SMS is durably stored and routed; only then may the modem delete it. */
  async receive(
    incoming: IncomingSms,
  ): Promise<{ sms: SmsRecord; duplicate: boolean; activationIds: number[]; rentIds: number[] }> {
    const { store, registry, rents } = this.#o;
    const sim = await store.simByIccid(incoming.iccid);
    const { sms, duplicate } = await store.saveSms({
      fingerprint: incoming.fingerprint, iccid: incoming.iccid, phone: sim?.phone ?? '', sender: incoming.from,
      text: incoming.text, receivedAt: incoming.receivedAt,
    });
    // A duplicate is routed again too: a crash may have come between storing and routing,
    // and an activation ignores an SMS it already holds. Only to activations that were
    // open when it first arrived, though: an old code is not the code of a newer order.
    const activationIds = await registry.deliver(
      { smsId: sms.id, iccid: sms.iccid, from: sms.sender, text: sms.text, at: sms.receivedAt },
      (services) => this.#route(services, sms.sender, sms.text),
      duplicate ? sms.receivedAt : Infinity,
    );
    const routed = { smsId: sms.id, iccid: sms.iccid, from: sms.sender, text: sms.text, at: sms.receivedAt };
    const rentIds = (await rents?.deliver(routed, duplicate ? sms.receivedAt : Infinity)) ?? [];
    const all = [...new Set([...sms.activationIds, ...activationIds])];
    if (all.length !== sms.activationIds.length) await store.linkSms(sms.id, all);
    this.#o.log.debug({ smsId: sms.id, iccid: sms.iccid, activationIds: all, rentIds, duplicate }, 'sms stored');
    if (!duplicate) this.#o.news?.({ type: 'sms.stored', sms: { ...sms, activationIds: all }, activationIds, rentIds });
    return { sms: { ...sms, activationIds: all }, duplicate, activationIds, rentIds };
  }

  #route(services: string[], from: string, text: string) {
    const named = services.filter((s) => this.#rules.names(s, from, text));
    const takers = named.length > 0 ? named : services.filter((s) => this.#rules.catchesAll(s));
    // An SMS without a code ("someone tried to log in") is no activation's code: it stays on the SIM's record.
    return takers.map((service) => ({ service, code: this.#rules.code(service, text) })).filter((t) => t.code !== '');
  }
}
