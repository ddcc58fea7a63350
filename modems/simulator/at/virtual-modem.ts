import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { urcText } from './answers.ts';
import { commandTable, cregLine } from './commands/index.ts';
import { deliverPdus } from './encode.ts';
import { imeiOf } from './imei.ts';
import { Interpreter } from './interpreter.ts';
import { PacedWire } from './paced-wire.ts';
import type { SimCard } from './sim-card.ts';
import { tpduLength } from './sim-storage.ts';
import type {
  EncodeDeliver, ModemContext, ModemSettings, PduOutcome, SimState, SmsToDeliver, VirtualModemEvents, VirtualModemOptions,
} from './types.ts';
import { vendors, type Vendor } from './vendors.ts';

/**
 * One simulated modem channel with K SIM slots, speaking AT (V.250, 27.007,
 * 27.005 PDU mode) over a Duplex byte stream: commands come from a table,
 * answers and unsolicited codes go out through a paced wire.
 */
export class VirtualModem extends EventEmitter<VirtualModemEvents> implements ModemContext {
  readonly vendor: Vendor;
  readonly imei: string;
  readonly ussdDelayMs: number;
  readonly encode: EncodeDeliver;
  settings: ModemSettings;
  signal: number;
  readonly #options: VirtualModemOptions;
  readonly #slots: (SimCard | undefined)[];
  #active: number;
  #simState: SimState;
  #radio = true;
  #powered = true;
  #hung = false;
  #lastRegistration: number;
  #stream: Duplex | undefined;
  readonly #in: PacedWire;
  readonly #out: PacedWire;
  readonly #interpreter: Interpreter;
  readonly #timers = new Set<NodeJS.Timeout>();
  #simTimer: NodeJS.Timeout | undefined;

  constructor(options: VirtualModemOptions = {}) {
    super();
    const slots = options.slots ?? Math.max(1, options.sims?.length ?? 1);
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a positive integer, got ${slots}`);
    this.#options = options;
    this.vendor = typeof options.vendor === 'object' ? options.vendor : vendors[options.vendor ?? 'generic'];
    this.imei = options.imei ?? imeiOf(0);
    this.ussdDelayMs = options.ussdDelayMs ?? 200;
    this.encode = options.encode ?? deliverPdus;
    this.signal = options.signal ?? 20;
    this.#slots = Array.from({ length: slots }, (_, i) => options.sims?.[i]);
    this.#active = options.activeSlot ?? 1;
    if (this.#active < 1 || this.#active > slots) throw new RangeError(`active slot ${this.#active} is not in 1…${slots}`);
    this.settings = this.#defaults();
    this.#interpreter = new Interpreter({
      table: commandTable(this.vendor, options.slotDialect ?? this.vendor.slotDialect),
      context: this,
      write: (bytes) => this.#out.push(bytes),
      ...(options.delays ? { delays: options.delays } : {}),
      ...(options.defaultDelayMs ? { defaultDelayMs: options.defaultDelayMs } : {}),
    });
    // Built already booted: the SIM in the active slot is ready at once.
    this.#simState = this.sim ? 'ready' : 'absent';
    this.#lastRegistration = this.registration;
    this.#in = new PacedWire(options.baudRate, (chunk) => {
      if (!this.#powered || this.#hung) return;
      options.trace?.('in', chunk.toString('latin1'));
      this.#interpreter.receive(chunk);
    });
    this.#out = new PacedWire(options.baudRate, (chunk) => {
      options.trace?.('out', chunk.toString('latin1'));
      if (this.#stream?.writable) this.#stream.write(chunk);
    });
  }

  // ── the line ──────────────────────────────────────────────────────────

  /** Speaks over `stream` (a serialport, a socket): what it reads are commands, what it writes answers. */
  attach(stream: Duplex): void {
    this.detach();
    this.#stream = stream;
    stream.on('data', this.#onData);
    stream.on('error', this.#onError);
  }

  /** Stops speaking over the stream (it stays open; closing it is the owner's business). */
  detach(): void {
    this.#stream?.off('data', this.#onData);
    this.#stream?.off('error', this.#onError);
    this.#stream = undefined;
    this.#in.clear();
    this.#out.clear();
  }

  /** Power lost (USB unplug): volatile state goes, the SIMs and their storage stay. */
  powerOff(): void {
    this.detach();
    this.#powered = false;
    this.#reset();
    this.#simState = 'absent';
    this.#lastRegistration = 0;
  }

  /** Power back: boot lines, then the SIM in the active slot initialises. */
  powerOn(): void {
    this.#powered = true;
    this.#radio = true;
    this.#boot();
  }

  /** Stops answering anything, echo included, until `resume()`: a wedged firmware. */
  hang(): void {
    this.#hung = true;
    this.#out.clear();
  }

  resume(): void {
    this.#hung = false;
    this.#interpreter.reset();
  }

  get hung(): boolean {
    return this.#hung;
  }

  /** Raw bytes onto the wire (line noise, a vendor's binary junk). */
  inject(bytes: Buffer): void {
    if (this.#powered && !this.#hung) this.#out.push(bytes);
  }

  // ── ModemContext: what command handlers see ───────────────────────────

  get sim(): SimCard | undefined {
    return this.#slots[this.#active - 1];
  }

  get simState(): SimState {
    return this.#simState;
  }

  get registration(): number {
    if (!this.#powered || !this.#radio || this.#simState === 'absent') return 0;
    return this.#simState === 'ready' ? 1 : 2;
  }

  get radio(): boolean {
    return this.#radio;
  }

  get slotCount(): number {
    return this.#slots.length;
  }

  get activeSlot(): number {
    return this.#active;
  }

  switchSlot(slot: number): boolean {
    if (!Number.isInteger(slot) || slot < 1 || slot > this.#slots.length) return false;
    if (slot === this.#active) return true;
    this.#active = slot;
    this.#initSim();
    return true;
  }

  restart(): void {
    this.#reset();
    this.#boot();
  }

  resetSettings(): void {
    this.settings = this.#defaults();
  }

  setRadio(on: boolean): void {
    this.#radio = on;
    this.#noteRegistration();
  }

  unsolicited(line: string, afterMs = 0): void {
    this.#later(afterMs, () => {
      if (this.#powered && !this.#hung) this.#write(urcText(line));
    });
  }

  storageFreed(): void {
    const sim = this.sim;
    if (sim) this.#later(0, () => this.emit('storage.freed', sim));
  }

  // ── slots ──────────────────────────────────────────────────────────────

  /** The SIM in `slot` (1-based). */
  simIn(slot: number): SimCard | undefined {
    return this.#slots[slot - 1];
  }

  /** Puts `sim` into an empty `slot`; in the active slot it initialises, as after a hot-swap. */
  insert(slot: number, sim: SimCard): void {
    if (this.#slots[slot - 1] || slot < 1 || slot > this.#slots.length) throw new RangeError(`slot ${slot} is not free`);
    this.#slots[slot - 1] = sim;
    if (slot === this.#active && this.#powered) this.#initSim();
  }

  /** Takes the SIM out of `slot`; from the active slot the host sees it go. */
  eject(slot: number): SimCard | undefined {
    const sim = this.#slots[slot - 1];
    this.#slots[slot - 1] = undefined;
    if (sim && slot === this.#active && this.#powered) {
      for (const line of this.vendor.simRemoved) this.unsolicited(line);
      this.#initSim();
    }
    return sim;
  }

  // ── the network side ───────────────────────────────────────────────────

  /** One SMS-DELIVER PDU from the network for the SIM in the active slot, per `+CNMI` `<mt>`. */
  receivePdu(pdu: string): PduOutcome {
    const sim = this.sim;
    if (!sim || this.registration !== 1) return { refused: 'not-registered' };
    const mt = this.settings.cnmi[1];
    if (mt === 2) {
      // Routed straight to the host, never stored: lost if nobody listens (hence modem-notes §1.6).
      this.unsolicited(`+CMT: ,${tpduLength(pdu)}\r\n${pdu}`);
      return { direct: true };
    }
    const index = sim.storage.store(pdu);
    if (index === undefined) {
      this.unsolicited(this.vendor.memoryFull);
      return { refused: 'memory-full' };
    }
    if (mt === 1 || mt === 3) this.unsolicited(`+CMTI: "SM",${index}`);
    return { stored: index };
  }

  /** Encodes `sms` and hands over every part; what was refused stays with the caller (the network). */
  receive(sms: SmsToDeliver): { pdus: string[]; outcomes: PduOutcome[] } {
    const pdus = this.encode(sms);
    return { pdus, outcomes: pdus.map((p) => this.receivePdu(p)) };
  }

  // ── inside ─────────────────────────────────────────────────────────────

  #defaults(): ModemSettings {
    return {
      echo: this.#options.echo ?? true, cmee: 0, cnmi: [0, 0, 0, 0, 0], creg: 0, cscs: 'GSM', copsFormat: 0, cusd: 0,
      ussdPacked: this.vendor.ussd === 'packed',
    };
  }

  #onData = (chunk: Buffer) => this.#in.push(chunk);
  #onError = () => {}; // the stream's owner sees its errors; a dying port must not crash the farm

  #reset() {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    clearTimeout(this.#simTimer);
    this.#out.clear();
    this.#interpreter.reset();
    this.settings = this.#defaults();
  }

  #boot() {
    for (const line of this.vendor.boot) this.unsolicited(line);
    this.#initSim();
  }

  /** The SIM in the active slot (re)initialises: busy for `simBusyMs`, then ready and registered. */
  #initSim() {
    clearTimeout(this.#simTimer);
    const sim = this.sim;
    this.#simState = sim ? 'busy' : 'absent';
    this.#noteRegistration();
    if (!sim) return;
    this.#simTimer = setTimeout(() => {
      this.#simState = 'ready';
      for (const line of this.vendor.simReady) this.unsolicited(line);
      this.#noteRegistration();
      this.emit('sim.ready', sim);
    }, this.#options.simBusyMs ?? 300);
  }

  /** 27.007 §7.2: `+CREG: <stat>` goes out when the status changes and `AT+CREG` asked for it. */
  #noteRegistration() {
    const now = this.registration;
    if (now === this.#lastRegistration) return;
    this.#lastRegistration = now;
    if (this.settings.creg > 0) this.unsolicited(cregLine(this, true));
  }

  #later(ms: number, fn: () => void) {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #write(text: string) {
    this.#out.push(Buffer.from(text, 'latin1'));
  }
}
