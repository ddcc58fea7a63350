import type { ChannelSupervisor, Log, Store } from '../actors/index.ts';
import type { CarriedSim, FarmSimulator, SimulatedSlot } from '../modems/index.ts';
import type { RemoteFarm, TakenSim } from './agents/index.ts';

/** A farm whose SIMs are cards an operator can carry to another host's farm (the AT farm on PTYs; an agent's). */
interface CardFarm {
  slots(): readonly SimulatedSlot[];
  take(iccid: string): Promise<TakenSim | undefined>;
  insert(carried: CarriedSim, channel: string, slot: number): Promise<void>;
}

type LocalFarm = FarmSimulator & Partial<Pick<CardFarm, 'take' | 'insert'>>;

export interface SimulatorsOptions {
  /** This server's own simulated farm; absent with MODEM_PORTS. */
  local: LocalFarm | undefined;
  /** The simulated farms of the agents connected now. */
  farms: () => RemoteFarm[];
  /** Every modem channel (the AT farm's and the agents'): a channel whose slots a hand changed reads them again. */
  channels: ChannelSupervisor;
  store: Store;
  log: Log;
}

/** An agent that may host the SIM did not answer: whether it took the SMS is unknown. */
export class SimulatorUnreachable extends Error {
  readonly code = 'SIM_HOST_UNREACHABLE';
}

const reprobeReason = 'a SIM was moved by hand: reading every slot again';

/**
 * Every simulated farm the server reaches, as one: its own (in memory or AT on
 * PTYs) and those of the agents that run one. The network's SMS goes to the farm
 * holding the SIM (the agent the inventory names first), and an operator's hands
 * move a SIM within a farm, or carry it from one host's farm to another's; the
 * channels then read their slots again, so the inventory learns of it through
 * the modems, as with any move.
 */
export class Simulators implements FarmSimulator {
  readonly #o: SimulatorsOptions;

  constructor(options: SimulatorsOptions) {
    this.#o = options;
  }

  /** Whether any simulated farm is there now: this server's, or a connected agent's. */
  get reachable(): boolean {
    return this.#o.local !== undefined || this.#o.farms().length > 0;
  }

  slots(): readonly SimulatedSlot[] {
    return [...(this.#o.local?.slots() ?? []), ...this.#o.farms().flatMap((f) => f.slots())];
  }

  async deliver(to: string, from: string, text: string): Promise<boolean> {
    if (await this.#o.local?.deliver(to, from, text)) return true;
    const sim = (await this.#o.store.simByPhone(to)) ?? (await this.#o.store.simByIccid(to));
    // The host the inventory last saw the SIM on first; the others after it (it may have been moved by hand since).
    const farms = this.#o.farms().sort((a, b) => Number(sim !== undefined && b.owns(sim.channel)) - Number(sim !== undefined && a.owns(sim.channel)));
    let silent: string | undefined;
    for (const farm of farms) {
      try {
        if (await farm.deliver(to, from, text)) return true;
      } catch (err) {
        this.#o.log.warn({ err, agent: farm.host, to }, 'simulated SMS not handed to the agent');
        silent ??= farm.host;
      }
    }
    if (silent) throw new SimulatorUnreachable(`agent ${silent} did not answer; it may host the SIM ${to}`);
    return false;
  }

  async refusesMove(iccid: string, channel: string): Promise<string | undefined> {
    await this.#refresh();
    const source = this.#holder(iccid);
    const target = this.#farmOf(channel);
    if (!source) return `SIM ${iccid} is in no simulated farm reachable now (its agent may be offline)`;
    if (!target || source === target) return undefined; // an unknown channel is refused by the slot check
    if (!canCarry(source) || !canCarry(target)) return 'the in-memory farm\'s SIMs cannot change hosts (SIMULATOR=at can)';
    return undefined;
  }

  async move(iccid: string, channel: string, slot: number): Promise<boolean> {
    await this.#refresh();
    const source = this.#holder(iccid);
    const target = this.#farmOf(channel);
    if (!source || !target) return false;
    if (source === this.#o.local) {
      if (target === source) return source.move(iccid, channel, slot);
    } else if (target === source) {
      const moved = await (source as RemoteFarm).move(iccid, channel, slot);
      if (!moved) return false;
      this.#reprobe(channel, moved.from?.channel);
      await (source as RemoteFarm).refresh();
      return true;
    }
    if (!canCarry(source) || !canCarry(target)) return false;
    return this.#carry(iccid, source, target, channel, slot);
  }

  /** Each farm stops with its owner (the server's with the system, an agent's with the agent). */
  async stop() {}

  /**
   * From one host's farm to another's: the SIM is taken out, the one in the
   * target slot (if any) too, the SIM goes in, and the displaced one takes its
   * old place. A failure half-way puts back what was taken: no card is lost in transit.
   */
  async #carry(iccid: string, source: CardFarm, target: CardFarm, channel: string, slot: number): Promise<boolean> {
    const taken = await source.take(iccid);
    if (!taken) return false;
    let displaced: TakenSim | undefined;
    try {
      const sitting = target.slots().find((s) => s.channel === channel && s.slot === slot);
      if (sitting) displaced = await target.take(sitting.sim.iccid);
      await target.insert(taken, channel, slot);
    } catch (err) {
      if (taken.from) await source.insert(taken, taken.from.channel, taken.from.slot).catch(() => {});
      if (displaced?.from) await target.insert(displaced, displaced.from.channel, displaced.from.slot).catch(() => {});
      throw err;
    }
    if (displaced && taken.from) await source.insert(displaced, taken.from.channel, taken.from.slot);
    this.#reprobe(channel, taken.from?.channel);
    await this.#refresh();
    this.#o.log.info({ iccid, to: { channel, slot }, from: taken.from ?? null }, 'simulated SIM carried to another host');
    return true;
  }

  #reprobe(...channels: (string | undefined)[]) {
    for (const id of new Set(channels)) if (id) this.#o.channels.reprobe(id, reprobeReason);
  }

  /** The agents' slots as they are now (one that does not answer keeps its last picture). */
  async #refresh() {
    await Promise.all(this.#o.farms().map((f) => f.refresh().catch(() => {})));
  }

  /** The farm with the SIM in one of its slots. */
  #holder(iccid: string): LocalFarm | RemoteFarm | undefined {
    const { local, farms } = this.#o;
    if (local?.slots().some((s) => s.sim.iccid === iccid)) return local;
    return farms().find((f) => f.slots().some((s) => s.sim.iccid === iccid));
  }

  /** The farm a channel belongs to: an agent's by its name's prefix, else this server's. */
  #farmOf(channel: string): LocalFarm | RemoteFarm | undefined {
    return this.#o.farms().find((f) => f.owns(channel)) ?? this.#o.local;
  }
}

function canCarry(farm: LocalFarm | RemoteFarm): farm is (LocalFarm | RemoteFarm) & CardFarm {
  return 'take' in farm && 'insert' in farm && typeof farm.take === 'function' && typeof farm.insert === 'function';
}
