import type { Log } from '../log.ts';
import type { ActivationNews, ActivationRegistry } from '../registry/index.ts';
import type { RentNews, RentRegistry } from '../rent/index.ts';
import type { Store } from '../store.ts';
import type { ChannelSupervisor } from './supervisor.ts';

export interface SlotKeeperOptions {
  store: Store;
  registry: ActivationRegistry;
  /** Live rents hold their SIM's slot as live activations do, for the whole rent. */
  rents?: RentRegistry;
  channels: ChannelSupervisor;
  log: Log;
  /** How often every channel is checked anyway (a channel that came up, a SIM that moved). */
  everyMs?: number;
  /** Other processes share the store and sell SIMs too: what holds a slot is read again from it at every check. */
  shared?: boolean;
}

interface Held {
  iccid: string;
  openedAt: number;
}

/**
 * Puts each multi-slot channel on the slot its live activations need. The
 * store sells a SIM waiting in an inactive slot only when its channel is free
 * for it; this keeper then switches the channel to that SIM's slot, and back
 * to the channel's home slot once no live activation needs another. A live
 * rent holds its SIM's slot the same way until it ends.
 */
export class SlotKeeper {
  readonly #o: SlotKeeperOptions;
  /** Live activations (`a<id>`) and rents (`r<id>`): the SIM each holds. */
  readonly #held = new Map<string, Held>();
  #unsubscribe: (() => void) | undefined;
  #unsubscribeRents: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  /** Where held SIMs sit, as read from the store; forgotten at each periodic check, so a moved SIM is found again. */
  #located = new Map<string, { channel: string; slot: number } | undefined>();

  constructor(options: SlotKeeperOptions) {
    this.#o = options;
  }

  async start() {
    await this.#load();
    if (this.#o.rents) this.#unsubscribeRents = this.#o.rents.subscribe((news) => this.#heardRent(news));
    this.#unsubscribe = this.#o.registry.subscribe((news) => this.#heard(news));
    this.#timer = setInterval(() => {
      this.#located.clear();
      // Reading every live activation is only worth it where a channel here has slots to switch.
      if (this.#o.shared && this.#o.channels.channels().some((v) => v.slots > 1)) {
        this.#load().then(() => this.#schedule(), (err: unknown) => this.#o.log.warn({ err }, 'live activations not read'));
      } else this.#schedule();
    }, this.#o.everyMs ?? 5_000);
    this.#timer.unref();
    this.#schedule();
  }

  /** Every live activation and rent, as the store has them. */
  async #load() {
    const held = new Map<string, Held>();
    for (const a of await this.#o.store.liveActivations()) held.set(`a${a.id}`, { iccid: a.iccid, openedAt: a.createdAt });
    if (this.#o.rents) {
      for (const r of await this.#o.store.liveRents()) held.set(`r${r.id}`, { iccid: r.iccid, openedAt: r.createdAt });
    }
    this.#held.clear();
    for (const [key, h] of held) this.#held.set(key, h);
  }

  stop() {
    this.#unsubscribe?.();
    this.#unsubscribeRents?.();
    clearInterval(this.#timer);
    clearTimeout(this.#soon);
  }

  #heard({ activation }: ActivationNews) {
    this.#hold(`a${activation.id}`, activation.live, { iccid: activation.iccid, openedAt: activation.createdAt });
  }

  #heardRent({ rent }: RentNews) {
    this.#hold(`r${rent.id}`, rent.live, { iccid: rent.iccid, openedAt: rent.createdAt });
  }

  #hold(key: string, live: boolean, held: Held) {
    const before = this.#held.has(key);
    if (live) this.#held.set(key, held);
    else this.#held.delete(key);
    if (before !== live) this.#schedule();
  }

  /** Many orders in a burst make one check, shortly after. */
  #schedule() {
    if (this.#soon) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      this.#running = this.#running.then(() => this.#check()).catch((err) => this.#o.log.error({ err }, 'slot check failed'));
    }, 50);
  }

  async #check() {
    const { store, channels, log } = this.#o;
    // Per channel, the slot of the SIM the oldest live activation or rent holds (the one in the active slot wins a tie).
    // Only channels with more than one slot ever switch: a farm of single-slot channels costs nothing here.
    const views = new Map(channels.channels().filter((v) => v.slots > 1).map((v) => [v.channel, v]));
    if (views.size === 0) return;
    const needed = new Map<string, { slot: number; openedAt: number }>();
    const located = this.#located;
    for (const { iccid, openedAt } of this.#held.values()) {
      if (!located.has(iccid)) {
        const sim = await store.simByIccid(iccid);
        located.set(iccid, sim && { channel: sim.channel, slot: sim.slot });
      }
      const at = located.get(iccid);
      const view = at && views.get(at.channel);
      if (!at || !view) continue;
      const current = needed.get(at.channel);
      const better = !current || (at.slot === view.slot && current.slot !== view.slot) ||
        (current.slot !== view.slot && openedAt < current.openedAt);
      if (better) needed.set(at.channel, { slot: at.slot, openedAt });
    }
    for (const view of views.values()) {
      const slot = needed.get(view.channel)?.slot ?? view.home;
      if (slot === view.slot || slot === view.wantedSlot || slot > view.slots) continue;
      log.info({ channel: view.channel, from: view.slot, to: slot, home: slot === view.home }, 'switching slot for a live activation');
      channels.visit(view.channel, slot);
    }
  }
}
