import { join } from 'node:path';
import type { SimIdentity } from '../../farm.ts';
import { simulatedSim } from '../identities.ts';
import type { SimulatedSlot } from '../port.ts';
import { Cable } from './cable.ts';
import { deliverPdus } from './encode.ts';
import { imeiOf } from './imei.ts';
import { SimCard, type SimCardPicture } from './sim-card.ts';
import { SmsCentre, type Submission } from './sms-centre.ts';
import type { EncodeDeliver, VirtualModemOptions } from './types.ts';
import type { SlotDialect, VendorName } from './vendors.ts';
import { VirtualModem } from './virtual-modem.ts';

/** A farm request that cannot be done, with a stable code the control API maps to a status. */
export class FarmError extends Error {
  constructor(readonly code: 'FARM_NOT_FOUND' | 'FARM_BAD_REQUEST' | 'FARM_CONFLICT', message: string) {
    super(message);
  }
}

export interface VirtualFarmOptions {
  /** Host-side PTY links go here as `sim-001`…; the modem sides under `.modem/`. */
  dir: string;
  channels: number;
  slots: number;
  /** One vendor for all, or one per channel (cycled). */
  vendor?: VendorName | readonly VendorName[];
  slotDialect?: SlotDialect;
  /** SIM storage cells per SIM. */
  capacity?: number;
  /** The index of the farm's first SIM (0): farms on several hosts use disjoint ranges so no two share a SIM. */
  firstSim?: number;
  encode?: EncodeDeliver;
  /** Passed to every channel: baudRate, simBusyMs, ussdDelayMs, delays, echo, trace … */
  modem?: Omit<VirtualModemOptions, 'slots' | 'sims' | 'vendor' | 'slotDialect' | 'imei' | 'encode'>;
}

export interface Channel {
  id: string;
  modem: VirtualModem;
  cable: Cable;
}

/** What the control API shows of a SIM. */
export interface SimView extends SimIdentity {
  stored: number;
  capacity: number;
  numberOnSim: boolean;
  /** Parts the simulated network holds for it (not registered, or memory full). */
  held: number;
}

export interface ChannelView {
  channel: string;
  path: string;
  plugged: boolean;
  hung: boolean;
  vendor: string;
  imei: string;
  activeSlot: number;
  simState: string;
  registration: number;
  signal: number;
  slots: { slot: number; sim: SimView | null }[];
}

/** What `deliver` did: where the SIM is (no channel while it is out of any modem) and the centre's account. */
export interface Delivery extends Submission {
  iccid: string;
  channel?: string;
  slot?: number;
}

export interface SlotRef {
  channel: string;
  slot: number;
}

/** A SIM on its way to another farm (another host): the card, and the parts the network held for it, in order. */
export interface CarriedSim {
  card: SimCardPicture;
  held: string[];
}

const channelId = (c: number) => `sim-${String(c + 1).padStart(3, '0')}`;

/**
 * N channels × K slots of VirtualModems, each on its own PTY pair, with the
 * SIMs `simulatedSim(index)` makes (the same as the in-process farm's) and an
 * SMS centre in front. Run it in its own process (`main.ts`) so a driver
 * under test shares nothing with it but the PTYs.
 */
export class VirtualFarm {
  readonly channels: Channel[] = [];
  readonly centre: SmsCentre;
  /** SIMs an operator took out and holds in hand, by ICCID. */
  readonly #drawer = new Map<string, SimCard>();

  private constructor(readonly options: VirtualFarmOptions) {
    this.centre = new SmsCentre((iccid) => this.#locate(iccid)?.active);
  }

  /** Builds the farm and brings every PTY up (16 at a time). */
  static async start(options: VirtualFarmOptions): Promise<VirtualFarm> {
    const farm = new VirtualFarm(options);
    const vendorsOf = typeof options.vendor === 'string' || !options.vendor ? [options.vendor ?? 'generic'] : options.vendor;
    for (let c = 0; c < options.channels; c++) {
      const sims = Array.from(
        { length: options.slots },
        (_, s) => new SimCard(simulatedSim((options.firstSim ?? 0) + c * options.slots + s), { capacity: options.capacity ?? 30 }),
      );
      const modem = new VirtualModem({
        ...options.modem,
        slots: options.slots,
        sims,
        vendor: vendorsOf[c % vendorsOf.length]!,
        ...(options.slotDialect ? { slotDialect: options.slotDialect } : {}),
        imei: imeiOf(c),
        ...(options.encode ? { encode: options.encode } : {}),
      });
      const id = channelId(c);
      const cable = new Cable(modem, join(options.dir, id), join(options.dir, '.modem', id), options.modem?.baudRate);
      modem.on('sim.ready', (sim) => farm.centre.retry(sim.identity.iccid));
      modem.on('storage.freed', (sim) => farm.centre.retry(sim.identity.iccid));
      farm.channels.push({ id, modem, cable });
    }
    try {
      for (let i = 0; i < farm.channels.length; i += 16) {
        await Promise.all(farm.channels.slice(i, i + 16).map((ch) => ch.cable.plug()));
      }
    } catch (e) {
      await farm.stop();
      throw e;
    }
    return farm;
  }

  /** Unplugs everything: socat ends, the links go. */
  async stop(): Promise<void> {
    await Promise.all(this.channels.map((ch) => ch.cable.unplug().catch(() => {})));
  }

  /** The host-side paths, in channel order: what `MODEM_PORTS` points at. */
  ports(): string[] {
    return this.channels.map((ch) => ch.cable.hostLink);
  }

  channel(id: string): Channel {
    const ch = this.channels.find((c) => c.id === id);
    if (!ch) throw new FarmError('FARM_NOT_FOUND', `no channel ${id}`);
    return ch;
  }

  view(ch: Channel): ChannelView {
    const m = ch.modem;
    return {
      channel: ch.id, path: ch.cable.hostLink, plugged: ch.cable.plugged, hung: m.hung, vendor: m.vendor.name,
      imei: m.imei, activeSlot: m.activeSlot, simState: m.simState, registration: m.registration, signal: m.signal,
      slots: Array.from({ length: m.slotCount }, (_, i) => {
        const sim = m.simIn(i + 1);
        return { slot: i + 1, sim: sim ? this.simView(sim) : null };
      }),
    };
  }

  simView(sim: SimCard): SimView {
    const { storage } = sim;
    return {
      ...sim.identity, stored: storage.used, capacity: storage.capacity,
      numberOnSim: sim.numberOnSim, held: this.centre.held(sim.identity.iccid),
    };
  }

  /** The SIM with this ICCID or phone number (digits, `+` optional); `channel` is absent for one in the drawer. */
  sim(key: string): { sim: SimCard; channel?: Channel; slot?: number } {
    const id = key.replace(/^\+/, '');
    const found = this.#locate(id);
    if (found) return found;
    const held = [...this.#drawer.values()].find((sim) => sim.identity.iccid === id || sim.identity.phone === id);
    if (!held) throw new FarmError('FARM_NOT_FOUND', `no SIM ${key}`);
    return { sim: held };
  }

  /** An SMS from the network to the SIM with number or ICCID `to` (held if that SIM is out of any modem). */
  deliver(to: string, from: string, text: string, timestamp = new Date()): Delivery {
    const { sim, channel, slot } = this.sim(to);
    const { iccid } = sim.identity;
    const pdus = (channel?.modem.encode ?? this.options.encode ?? deliverPdus)({ from, text, timestamp });
    const where = channel ? { channel: channel.id, slot: slot! } : {};
    return { iccid, ...where, ...this.centre.submit(iccid, pdus) };
  }

  /** Takes a SIM out of its slot into the operator's hand (the drawer). */
  remove(key: string): SimView {
    const { sim, channel, slot } = this.sim(key);
    if (channel) channel.modem.eject(slot!);
    this.#drawer.set(sim.identity.iccid, sim);
    return this.simView(sim);
  }

  /** Moves a SIM (from a slot or the drawer) into an empty slot, on any channel; it keeps its storage, as a card does. */
  move(key: string, to: SlotRef): ChannelView {
    const { sim, channel, slot } = this.sim(key);
    const target = this.channel(to.channel);
    if (!Number.isInteger(to.slot) || to.slot < 1 || to.slot > target.modem.slotCount) {
      throw new FarmError('FARM_BAD_REQUEST', `${to.channel} has no slot ${to.slot}`);
    }
    if (target.modem.simIn(to.slot)) throw new FarmError('FARM_CONFLICT', `${to.channel} slot ${to.slot} is taken`);
    if (channel) channel.modem.eject(slot!);
    this.#drawer.delete(sim.identity.iccid);
    target.modem.insert(to.slot, sim);
    return this.view(target);
  }

  /**
   * Puts a SIM into a slot as an operator's hands would: the SIM that sat there
   * takes the moved one's place (as in the in-memory farm). Says where the SIM came from.
   */
  swap(key: string, to: SlotRef): { from: SlotRef | undefined } {
    const { channel, slot } = this.sim(key);
    const target = this.channel(to.channel);
    const from = channel ? { channel: channel.id, slot: slot! } : undefined;
    if (from?.channel === to.channel && from.slot === to.slot) return { from };
    const displaced = Number.isInteger(to.slot) ? target.modem.simIn(to.slot) : undefined;
    if (displaced) this.remove(displaced.identity.iccid);
    this.move(key, to);
    if (displaced && from) this.move(displaced.identity.iccid, from);
    return { from };
  }

  /**
   * Resolves once nothing waits for the SIM (the network holds no part for it and
   * its memory is empty: its channel read and deleted everything), or after `ms`.
   */
  async drained(key: string, ms: number): Promise<void> {
    const end = Date.now() + ms;
    const waiting = () => {
      const { sim } = this.sim(key);
      return this.centre.held(sim.identity.iccid) + sim.storage.used;
    };
    while (waiting() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  }

  /** Every occupied slot with its SIM, in channel and slot order. */
  slots(): SimulatedSlot[] {
    return this.channels.flatMap((ch) =>
      Array.from({ length: ch.modem.slotCount }, (_, i) => {
        const sim = ch.modem.simIn(i + 1);
        return sim ? [{ channel: ch.id, slot: i + 1, sim: sim.identity }] : [];
      }).flat(),
    );
  }

  /** Takes a SIM out to carry it to another farm: it leaves this one, with what the network held for it. */
  takeOut(key: string): CarriedSim & { from: SlotRef | undefined } {
    const { sim, channel, slot } = this.sim(key);
    if (channel) channel.modem.eject(slot!);
    this.#drawer.delete(sim.identity.iccid);
    const from = channel ? { channel: channel.id, slot: slot! } : undefined;
    return { card: sim.picture(), held: this.centre.release(sim.identity.iccid), from };
  }

  /** A SIM carried from another farm goes into an empty slot; the network hands it what it held. */
  putIn(carried: CarriedSim, to: SlotRef): ChannelView {
    const known = this.#locate(carried.card.identity.iccid) ?? this.#drawer.get(carried.card.identity.iccid);
    if (known) throw new FarmError('FARM_CONFLICT', `SIM ${carried.card.identity.iccid} is in this farm already`);
    const sim = SimCard.from(carried.card);
    this.#drawer.set(sim.identity.iccid, sim);
    try {
      this.move(sim.identity.iccid, to);
    } catch (err) {
      this.#drawer.delete(sim.identity.iccid);
      throw err;
    }
    if (carried.held.length > 0) this.centre.submit(sim.identity.iccid, carried.held);
    return this.view(this.channel(to.channel));
  }

  #locate(key: string): { sim: SimCard; channel: Channel; slot: number; active: VirtualModem | undefined } | undefined {
    for (const channel of this.channels) {
      for (let slot = 1; slot <= channel.modem.slotCount; slot++) {
        const sim = channel.modem.simIn(slot);
        if (sim && (sim.identity.iccid === key || sim.identity.phone === key)) {
          return { sim, channel, slot, active: slot === channel.modem.activeSlot ? channel.modem : undefined };
        }
      }
    }
    return undefined;
  }
}
