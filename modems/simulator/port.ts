import type { SimIdentity } from '../farm.ts';

/** A slot of a simulated farm and the SIM in it now. */
export interface SimulatedSlot {
  channel: string;
  slot: number;
  sim: SimIdentity;
}

/**
 * What the server asks of a simulated farm, whichever runs (in memory, or AT
 * modems on pseudo-terminals): the network texting a SIM, and an operator's
 * hands moving one. The demo responder, the JSON API and the tests use only this.
 */
export interface FarmSimulator {
  /** Every occupied slot with its SIM, in channel and slot order. */
  slots(): readonly SimulatedSlot[];
  /**
   * An SMS from `from` to the SIM with number (or ICCID) `to`; false when no
   * simulated SIM has that number. Resolves once the domain has stored it, or (after a bounded
   * wait) once the network holds it for a SIM that cannot take it yet. Rejects
   * with SimulatorError `SIM_SMS_HELD` when the SIM has it but the domain could
   * not store it (the store is unavailable): the modem keeps it and tries again.
   */
  deliver(to: string, from: string, text: string): Promise<boolean>;
  /**
   * Puts a SIM into another slot; the SIM that sat there takes its place.
   * False when there is no such SIM or slot. The move is done when the farm's
   * channel sees the SIM in its new slot.
   */
  move(iccid: string, channel: string, slot: number): Promise<boolean>;
  /**
   * Why moving that SIM to that slot cannot be done, in a sentence, asked before
   * the move is recorded; undefined when it can. Absent: any slot `slots()` lists will do.
   */
  refusesMove?(iccid: string, channel: string, slot: number): Promise<string | undefined>;
  stop(): Promise<void>;
}
