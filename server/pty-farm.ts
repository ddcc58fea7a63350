import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelSupervisor, Log, Store } from '../actors/index.ts';
import {
  AtChannel, FarmError, VirtualFarm, type CarriedSim, type FarmSimulator, type SimulatedSlot, type SlotRef,
} from '../modems/index.ts';

export interface PtyFarmOptions {
  channels: number;
  slots: number;
  /** Drives the farm's channels, exactly as it drives MODEM_PORTS. */
  supervisor: ChannelSupervisor;
  store: Store;
  log: Log;
  /** How long `deliver` waits for the channel to store an SMS (15 s). */
  storeWaitMs?: number;
}

/** How much of a farm is up: channels ready, SIMs getsms knows, SIMs in active slots. */
export interface FarmCensus {
  channels: number;
  ready: number;
  sims: number;
  active: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether the simulated network lets a SIM forward calls (false for a SIM it does not know). */
function farmCanForward(farm: VirtualFarm, iccid: string): boolean {
  try {
    return farm.sim(iccid).sim.identity.canForward;
  } catch {
    return false;
  }
}

const dirPrefix = 'getsms-farm-';

/** PTY directories of getsms processes that are gone (SIGKILLed: no stop ran), named by their owner's pid. */
async function removeOrphanDirs() {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    const pid = Number(/^getsms-farm-(\d+)-\w+$/.exec(name)?.[1]);
    if (pid > 0 && !alive(pid)) await rm(join(tmpdir(), name), { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * The simulated farm as AT modems on pseudo-terminals: a VirtualFarm (socat
 * PTY pairs, the same deterministic SIMs as the in-memory farm) in this
 * process, and an AtChannel per PTY under the channel supervisor, so every
 * SIM and SMS travels the serial path real modems use. The network's side (an
 * SMS in) and the operator's hands (a SIM moved) act on the virtual modems;
 * getsms learns of both only through AT.
 */
export class PtyFarm implements FarmSimulator {
  readonly #farm: VirtualFarm;
  readonly #dir: string;
  readonly #o: PtyFarmOptions;
  /** Channels that reached `ready` at least once. */
  readonly #up = new Set<string>();

  private constructor(farm: VirtualFarm, dir: string, options: PtyFarmOptions) {
    this.#farm = farm;
    this.#dir = dir;
    this.#o = options;
  }

  /** Brings the PTYs up and starts a channel per PTY; rejects (a SimulatorError) when socat cannot. */
  static async start(options: PtyFarmOptions): Promise<PtyFarm> {
    // A fresh directory per process: a previous, killed run's socat may still be unlinking in its own.
    await removeOrphanDirs();
    const dir = await mkdtemp(join(tmpdir(), `${dirPrefix}${process.pid}-`));
    let farm: VirtualFarm;
    try {
      farm = await VirtualFarm.start({ dir, channels: options.channels, slots: options.slots });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    // Channel ids are the farm's (sim-001 …), not the PTY paths, so a restart keeps every SIM's place.
    options.supervisor.start(
      farm.channels.map((ch) => new AtChannel({
        id: ch.id, path: ch.cable.hostLink, baudRate: 115_200,
        // The simulated operators' own word on which of their SIMs may forward calls, as a farm's operator knows its tariffs.
        canForward: (sim) => farmCanForward(farm, sim.iccid),
      })),
      () => options.slots,
    );
    options.log.info({ channels: options.channels, slots: options.slots, dir }, 'simulated AT modems on pseudo-terminals');
    return new PtyFarm(farm, dir, options);
  }

  /** Waits until every channel was ready once (each has read all its slots), at most `timeoutMs`, saying how far it got. */
  async ready(timeoutMs = 60_000): Promise<FarmCensus> {
    const { supervisor, log } = this.#o;
    const total = this.#farm.channels.length;
    const end = Date.now() + timeoutMs;
    let said = Date.now();
    for (;;) {
      for (const c of supervisor.channels()) if (c.state === 'ready') this.#up.add(c.channel);
      if (this.#up.size >= total) break;
      if (Date.now() > end) {
        log.warn({ ready: this.#up.size, channels: total, waitedMs: timeoutMs }, 'not every simulated modem came up; starting anyway');
        break;
      }
      if (Date.now() - said >= 5_000) {
        said = Date.now();
        log.info({ ready: this.#up.size, channels: total }, 'simulated modems coming up');
      }
      await sleep(100);
    }
    return this.census();
  }

  /** What getsms knows of the farm's SIMs now. */
  async census(): Promise<FarmCensus> {
    const here = new Set(this.slots().map((s) => s.sim.iccid));
    const known = (await this.#o.store.sims()).filter((s) => here.has(s.iccid));
    return { channels: this.#farm.channels.length, ready: this.#up.size, sims: known.length, active: known.filter((s) => s.online).length };
  }

  slots(): SimulatedSlot[] {
    return this.#farm.slots();
  }

  async deliver(to: string, from: string, text: string): Promise<boolean> {
    let iccid: string;
    try {
      ({ iccid } = this.#farm.deliver(to, from, text));
    } catch (err) {
      if (err instanceof FarmError && err.code === 'FARM_NOT_FOUND') return false;
      throw err;
    }
    await this.#stored(iccid);
    return true;
  }

  /**
   * Until nothing for the SIM waits at the SMS centre or in its memory: the
   * channel deletes a message only once the inbox has stored and routed it.
   * A SIM on standby gets its SMS when its channel switches to it; if none
   * does within the bound, the network keeps holding it.
   */
  #stored(iccid: string) {
    return this.#farm.drained(iccid, this.#o.storeWaitMs ?? 15_000);
  }

  async move(iccid: string, channel: string, slot: number): Promise<boolean> {
    const target = this.#farm.channels.find((ch) => ch.id === channel);
    if (!target || !Number.isInteger(slot) || slot < 1 || slot > target.modem.slotCount) return false;
    let from: SlotRef | undefined;
    try {
      ({ from } = this.#farm.swap(iccid, { channel, slot }));
    } catch (err) {
      if (err instanceof FarmError && err.code === 'FARM_NOT_FOUND') return false;
      throw err;
    }
    // A modem tells nothing of a slot it is not on, nor (this one) of a card swapped in its active slot:
    // both channels read their slots again, and the move is done when the SIM is seen where it went.
    for (const id of new Set([channel, from?.channel ?? channel])) {
      this.#o.supervisor.reprobe(id, 'a SIM was moved by hand: reading every slot again');
    }
    this.#o.log.info({ iccid, to: { channel, slot }, from: from ?? null }, 'simulated SIM moved');
    return true;
  }

  /** Takes a SIM out to carry it to another host's farm; undefined when this farm has no such SIM. The caller reprobes. */
  async take(iccid: string): Promise<(CarriedSim & { from: SlotRef | undefined }) | undefined> {
    try {
      return this.#farm.takeOut(iccid);
    } catch (err) {
      if (err instanceof FarmError && err.code === 'FARM_NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** A SIM carried from another host's farm goes into an empty slot here. The caller reprobes. */
  async insert(carried: CarriedSim, channel: string, slot: number): Promise<void> {
    this.#farm.putIn(carried, { channel, slot });
  }

  /** Unplugs every virtual modem (socat ends, the links go); stop the channels first. */
  async stop() {
    await this.#farm.stop();
    await rm(this.#dir, { recursive: true, force: true });
  }
}
