import { createActor, fromPromise, type Actor } from 'xstate';
import type { ModemChannel, SimIdentity } from '../../modems/index.ts';
import type { FarmNews, FarmNewsListener } from '../farm/news.ts';
import type { Inbox } from '../inbox/index.ts';
import type { Clock, Log } from '../log.ts';
import type { ChannelRecord, Store } from '../store.ts';
import { channelMachine, type ChannelContext } from './machine.ts';

export interface ChannelSupervisorOptions {
  store: Store;
  inbox: Inbox;
  clock: Clock;
  log: Log;
  /** Told of each stored change of a channel's picture and of the SIMs the channels see (the operators' live topics). */
  news?: FarmNewsListener;
}

/** What operators see of a channel: its state and the SIM in its active slot. */
export interface ChannelView extends Omit<ChannelContext, 'again' | 'failures'> {
  state: string;
  failures: number;
  /** The slot the channel rests on when no activation needs a SIM in another one. */
  home: number;
  /** The remote modem host (agent) the channel is plugged into; null: this server. */
  host: string | null;
}

interface Running {
  channel: ModemChannel;
  actor: Actor<typeof channelMachine>;
  /** The SIM the inventory last heard of in this channel's active slot. */
  sim: SimIdentity | null;
  home: number;
}

/**
 * Runs one channel actor per modem channel with the channel's driver as its
 * effects, and keeps the SIM inventory true to what the channels read: a SIM
 * is online while its channel is ready with it, and the inbox receives every
 * SMS a sweep finds before the modem may delete it.
 */
export class ChannelSupervisor {
  readonly #o: ChannelSupervisorOptions;
  readonly #running = new Map<string, Running>();

  constructor(options: ChannelSupervisorOptions) {
    this.#o = options;
  }

  /** Starts a channel actor per channel; `slots` says how many SIM slots a channel has (1 when unknown). */
  start(channels: readonly ModemChannel[], slots: (channelId: string) => number = () => 1) {
    for (const channel of channels) this.#start(channel, slots(channel.id));
  }

  async stop() {
    for (const r of this.#running.values()) r.actor.stop();
    await Promise.all([...this.#running.values()].map((r) => r.channel.close().catch(() => {})));
    this.#running.clear();
  }

  /** Every channel as it is now. */
  channels(): ChannelView[] {
    return [...this.#running.values()].map(({ actor, home, channel }) => {
      const s = actor.getSnapshot();
      const { again: _again, ...rest } = s.context;
      return { ...rest, home, host: channel.host ?? null, state: typeof s.value === 'string' ? s.value : Object.keys(s.value)[0]! };
    });
  }

  /** An operator makes another slot the active one, and the channel's home from now on. */
  switchSlot(channelId: string, slot: number): boolean {
    const r = this.#running.get(channelId);
    if (!r) return false;
    r.home = slot;
    r.actor.send({ type: 'slot.switch', slot });
    return true;
  }

  /** The channel goes to another slot for a while (a SIM there is needed), keeping its home. */
  visit(channelId: string, slot: number): boolean {
    const r = this.#running.get(channelId);
    if (!r) return false;
    r.actor.send({ type: 'slot.switch', slot });
    return true;
  }

  /**
   * SIMs were moved by hand in a channel's slots: it starts again from the port
   * up, as after a reconnect (ModemManager reprobes when the ICCID changes), so
   * every slot is scanned and the active one read. False when there is no such channel.
   */
  reprobe(channelId: string, reason: string): boolean {
    const r = this.#running.get(channelId);
    if (!r) return false;
    r.actor.send({ type: 'port.lost', reason });
    void this.#simSeen(r, null, r.actor.getSnapshot().context.slot).catch(() => {});
    return true;
  }

  /** A USSD code sent through a channel's active SIM; undefined when there is no such channel. */
  async ussd(channelId: string, code: string): Promise<string | undefined> {
    return this.#running.get(channelId)?.channel.ussd(code);
  }

  /** Unconditional call forwarding on a channel's active SIM (null clears it); false when there is no such channel. */
  async setForwarding(channelId: string, number: string | null): Promise<boolean> {
    const r = this.#running.get(channelId);
    if (!r) return false;
    await r.channel.setForwarding(number);
    return true;
  }

  #start(channel: ModemChannel, slots: number) {
    const { inbox, log } = this.#o;
    const running: Running = { channel, actor: undefined as never, sim: null, home: 1 };
    const machine = channelMachine.provide({
      actors: {
        open: fromPromise(() => channel.open()),
        initialise: fromPromise(() => channel.initialise()),
        readSim: fromPromise(async ({ input }: { input: { channel: string; slot: number } }) => {
          const check = await channel.readSim(input.slot);
          await this.#simSeen(running, check.status === 'ready' ? check.sim : null, input.slot);
          return check;
        }),
        register: fromPromise(() => channel.register()),
        sweep: fromPromise(async ({ input }: { input: { channel: string; iccid: string } }) => {
          // A SIM waiting for its number: an operator may have typed it in since.
          if (running.sim?.phone === '') await this.#simSeen(running, running.sim, actor.getSnapshot().context.slot);
          return channel.sweep(input.iccid, async (sms) => {
            await inbox.receive(sms);
          });
        }),
        scanSlots: fromPromise(async ({ input }: { input: { channel: string; slot: number; slots: number } }) => {
          for (let k = 1; k <= input.slots; k++) {
            if (k === input.slot) continue;
            await channel.switchSlot(k);
            const sim = await this.#readWhenSettled(channel, k);
            // Standby: SMS reach a SIM only while its slot is the active one, so selling it switches the channel.
            if (sim) {
              const phone = sim.phone || (await this.#o.store.simByIccid(sim.iccid))?.phone || '';
              await this.#o.store.upsertSim({ ...sim, phone, channel: channel.id, slot: k, online: false, standby: true, at: this.#o.clock.now() });
              const moved = await this.#o.store.completeMoves(sim.iccid, channel.id, k, this.#o.clock.now());
              this.#tell({ type: 'sim.changed', iccid: sim.iccid, change: moved > 0 ? 'moved' : 'standby' });
            }
          }
          await channel.switchSlot(input.slot);
        }),
        switchSlot: fromPromise(async ({ input }: { input: { channel: string; slot: number } }) => {
          await this.#simSeen(running, null, input.slot, 'standby');
          await channel.switchSlot(input.slot);
        }),
      },
    });
    const actor = createActor(machine, { input: { channel: channel.id, slot: 1, slots }, clock: this.#o.clock });
    running.actor = actor;
    channel.on('indication', () => actor.send({ type: 'sms.indicated' }));
    channel.on('sim', () => actor.send({ type: 'sim.changed' }));
    channel.on('pushed', (sms) => {
      inbox.receive(sms).catch((err) => log.error({ err, channel: channel.id }, 'pushed SMS not stored'));
    });
    channel.on('lost', (reason) => {
      log.warn({ channel: channel.id, reason }, 'modem channel lost');
      actor.send({ type: 'port.lost', reason });
      void this.#simSeen(running, null, actor.getSnapshot().context.slot).catch(() => {});
    });
    // Each change of the picture is stored (in order), so it outlives the process and the CLI can read it.
    let last = '';
    let saved = Promise.resolve();
    actor.subscribe((s) => {
      const record = channelRecord(s.value, s.context, running.sim);
      const key = JSON.stringify(record);
      if (key === last) return;
      last = key;
      log.debug({ channel: channel.id, state: record.state, error: record.lastError }, 'modem channel');
      saved = saved
        .then(async () => {
          const stored = { ...record, updatedAt: this.#o.clock.now() };
          await this.#o.store.saveChannel(stored);
          this.#tell({ type: 'channel.changed', channel: stored });
        })
        .catch((err) => log.error({ err, channel: channel.id }, 'channel picture not stored'));
    });
    this.#running.set(channel.id, running);
    actor.start();
  }

  /** The SIM in a slot just switched to: "busy" for a moment is normal (+CME ERROR: 14), so ask again for up to 15 s. */
  async #readWhenSettled(channel: ModemChannel, slot: number): Promise<SimIdentity | undefined> {
    const until = this.#o.clock.now() + 15_000;
    for (;;) {
      const check = await channel.readSim(slot);
      if (check.status === 'ready') return check.sim;
      if (check.status !== 'busy' || this.#o.clock.now() > until) return undefined;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * The inventory follows the active slot: the new SIM online (when it has a number), the previous one on
   * standby in its slot when the channel switched away from it, else offline.
   */
  async #simSeen(running: Running, sim: SimIdentity | null, slot: number, previous: 'standby' | 'offline' = 'offline') {
    const { store, clock } = this.#o;
    const before = running.sim;
    running.sim = sim;
    if (before && before.iccid !== sim?.iccid) {
      const standby = previous === 'standby' && before.phone !== '';
      if (standby) await store.setSimStandby(before.iccid, clock.now());
      else await store.setSimOnline(before.iccid, false, clock.now());
      this.#tell({ type: 'sim.changed', iccid: before.iccid, change: standby ? 'standby' : 'offline' });
    }
    if (sim) {
      // A number an operator typed in stands when the SIM itself knows none.
      const phone = sim.phone || (await store.simByIccid(sim.iccid))?.phone || '';
      running.sim = { ...sim, phone };
      // A SIM without a known number cannot be sold: it stays offline until its number is known.
      await store.upsertSim({ ...sim, phone, channel: running.channel.id, slot, online: phone !== '', at: clock.now() });
      const moved = await store.completeMoves(sim.iccid, running.channel.id, slot, clock.now());
      this.#tell({ type: 'sim.changed', iccid: sim.iccid, change: moved > 0 ? 'moved' : phone !== '' ? 'online' : 'offline' });
    }
  }

  #tell(news: FarmNews) {
    try {
      this.#o.news?.(news);
    } catch (err) {
      this.#o.log.error({ err }, 'farm news listener failed');
    }
  }
}

/** The stored picture of a channel, without its time (so unchanged pictures are not written again). */
function channelRecord(value: unknown, c: ChannelContext, sim: SimIdentity | null): Omit<ChannelRecord, 'updatedAt'> {
  return {
    id: c.channel, state: typeof value === 'string' ? value : Object.keys(value as object)[0]!, slot: c.slot,
    iccid: c.sim?.iccid ?? sim?.iccid ?? null, phone: c.sim?.phone || null, operator: c.operator,
    registered: c.registered, signalDbm: c.signalDbm, lastError: c.lastError,
  };
}
