import type { CarriedSim, SimulatedSlot, SlotRef } from '../../modems/index.ts';
import type { SimulatorCall } from './protocol.ts';

/** A SIM taken out of a farm, and the slot (full channel id) it left; none when it was in no slot. */
export type TakenSim = CarriedSim & { from: SlotRef | undefined };

/**
 * An agent's simulated farm as the server reaches it, over the agent's link:
 * the network texting one of its SIMs and an operator's hands moving them.
 * Channels carry the server's names (`rack-1/sim-001`); the agent knows them
 * by its own (`sim-001`). Its slots are the picture read at connect and after
 * each move made through here.
 */
export class RemoteFarm {
  readonly host: string;
  readonly #simulate: (call: SimulatorCall) => Promise<unknown>;
  #slots: SimulatedSlot[] = [];

  constructor(host: string, simulate: (call: SimulatorCall) => Promise<unknown>) {
    this.host = host;
    this.#simulate = simulate;
  }

  /** Whether a channel (the server's name) is one of this farm's. */
  owns(channel: string): boolean {
    return channel.startsWith(`${this.host}/`);
  }

  slots(): readonly SimulatedSlot[] {
    return this.#slots;
  }

  /** Reads the farm's slots again. */
  async refresh(): Promise<void> {
    const slots = await this.#simulate({ op: 'slots' });
    if (!Array.isArray(slots)) return;
    this.#slots = (slots as SimulatedSlot[]).map((s) => ({ ...s, channel: this.#ours(s.channel) }));
  }

  /** An SMS from the network to the SIM with this number or ICCID; false when the farm has no such SIM. */
  async deliver(to: string, from: string, text: string): Promise<boolean> {
    return (await this.#simulate({ op: 'deliver', to, from, text })) === true;
  }

  /** A SIM moved to a slot of this same farm (the SIM there takes its place); undefined when there is no such SIM or slot. */
  async move(iccid: string, channel: string, slot: number): Promise<{ from: SlotRef | undefined } | undefined> {
    const moved = (await this.#simulate({ op: 'move', sim: iccid, channel: this.#theirs(channel), slot })) as { from?: SlotRef } | null;
    if (!moved) return undefined;
    return { from: moved.from && { channel: this.#ours(moved.from.channel), slot: moved.from.slot } };
  }

  /** Takes a SIM (in a slot or loose) out of the farm; undefined when the farm has no such SIM. */
  async take(iccid: string): Promise<TakenSim | undefined> {
    const taken = (await this.#simulate({ op: 'take', sim: iccid })) as TakenSim | null;
    if (!taken) return undefined;
    return { ...taken, from: taken.from && { channel: this.#ours(taken.from.channel), slot: taken.from.slot } };
  }

  /** Puts a SIM carried from another farm into an empty slot here. */
  async insert(carried: CarriedSim, channel: string, slot: number): Promise<void> {
    await this.#simulate({ op: 'insert', carried, channel: this.#theirs(channel), slot });
  }

  #ours(channel: string): string {
    return `${this.host}/${channel}`;
  }

  #theirs(channel: string): string {
    return channel.slice(this.host.length + 1);
  }
}
