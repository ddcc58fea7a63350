import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import {
  AtEngine, AtError, initialise, network, runSequence, simCheck, sweep as sweepRows, type AtRunner, type AtSequence, type Urc,
} from '../at/index.ts';
import type { ModemChannel, ModemChannelEvents, Registration, SimCheck, SlotDialect } from '../channel.ts';
import type { IncomingSms } from '../farm.ts';
import { decodeDeliver, fingerprint, PduError, Reassembler, type ReassembledSms } from '../pdu/index.ts';
import { networkOf } from '../sim/index.ts';
import { numberIn } from './port-config.ts';
import type { PortSpec } from './port-spec.ts';
import { isUssdCode, ussdRequest, ussdText, ussdWireOf, type UssdWire } from './ussd.ts';

export interface AtChannelOptions extends PortSpec {
  /** The channel's name in the farm (`sim-001`); the port's path when unset. */
  id?: string;
  slotDialect?: SlotDialect;
  /** Asked when AT+CNUM knows no number: the operator's "my number" USSD code. */
  numberUssd?: string;
  /**
   * The SIMs on this port may forward calls (their tariffs allow AT+CCFC): sold for forward=1 orders.
   * A function decides per SIM (the simulated farm asks its network).
   */
  canForward?: boolean | ((sim: { iccid: string; country: string; operator: string }) => boolean);
  /** How long the parts of a multipart SMS wait for each other before the message goes out incomplete. */
  multipartTimeoutMs?: number;
  now?: () => number;
}

/** AT+... that makes slot `slot` (counted from 1) the active one, per dialect. */
const slotCommand: Record<SlotDialect, (slot: number) => string> = {
  csus: (slot) => `AT+CSUS=${slot - 1}`, // 27.007 §8.66 counts card slots from 0
  quimslot: (slot) => `AT+QUIMSLOT=${slot}`,
  smsimcfg: (slot) => `AT+SMSIMCFG=1,${slot}`,
};

/**
 * A modem channel on a serial port, driven with AT commands: the generic
 * start-up tables, the SIM identity, the network, and the SMS sweep
 * (+CMGL=4 → decode → reassemble → store → +CMGD).
 */
export class AtChannel extends EventEmitter<ModemChannelEvents> implements ModemChannel {
  readonly id: string;
  readonly #o: AtChannelOptions;
  readonly #parts: Reassembler<number>;
  #port: SerialPort | undefined;
  #at: AtEngine | undefined;
  /** The active SIM, for SMS the modem pushes. */
  #iccid: string | undefined;
  /** How this modem carries USSD strings, asked once per open port (`wire` undefined: it did not say). */
  #ussd: { wire: UssdWire | undefined } | undefined;

  constructor(options: AtChannelOptions) {
    super();
    this.#o = options;
    this.id = options.id ?? options.path;
    this.#parts = new Reassembler<number>({ timeoutMs: options.multipartTimeoutMs ?? 600_000, now: options.now ?? Date.now });
  }

  async open() {
    await this.close();
    this.#ussd = undefined; // the port may lead to another modem now
    const port = new SerialPort({ path: this.#o.path, baudRate: this.#o.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    const at = new AtEngine(port);
    at.on('urc', (urc) => {
      if (urc.type === 'sms.stored') this.emit('indication');
      if (urc.type === 'sms.pushed') this.#pushed(urc.pdu);
      if (urc.type === 'sim.status') this.emit('sim', urc.ready);
    });
    at.once('close', (err) => {
      if (this.#at === at) this.emit('lost', err?.message ?? 'port closed');
    });
    port.once('close', () => at.close());
    this.#port = port;
    this.#at = at;
  }

  /**
   * A modem that pushes (+CMT) despite being asked to store: the message is
   * not on the SIM, so it goes straight to the store; its parts reassemble like
   * stored ones. (We ask for mt=1 and never ack with +CNMA: with +CSMS=0 none is due.)
   */
  #pushed(pdu: string) {
    const iccid = this.#iccid;
    if (!iccid) return;
    try {
      for (const sms of this.#parts.add(iccid, decodeDeliver(pdu), -1)) {
        this.emit('pushed', { iccid: sms.iccid, from: sms.from.replace(/^\+/, ''), text: sms.text, receivedAt: sms.scts, fingerprint: sms.fingerprint });
      }
    } catch (err) {
      if (!(err instanceof PduError)) throw err;
      const now = this.#o.now?.() ?? Date.now();
      this.emit('pushed', { iccid, from: 'undecodable', text: `[${err.code}] ${pdu}`, receivedAt: now, fingerprint: fingerprint({ iccid, from: '', scts: 0, text: pdu }) });
    }
  }

  async close() {
    const port = this.#port;
    const at = this.#at;
    this.#port = undefined;
    this.#at = undefined;
    at?.close();
    if (port?.isOpen) await new Promise<void>((done) => port.close(() => done()));
  }

  async initialise() {
    await this.#run(initialise);
  }

  async readSim(_slot: number): Promise<SimCheck> {
    const report = await runSequence(this.#engine(), simCheck);
    const meaning = report.stopped?.error.meaning ?? report.values.pin?.meaning;
    if (meaning === 'simMissing') return { status: 'absent' };
    if (meaning === 'simLocked' || meaning === 'simBlocked') return { status: 'locked' };
    if (meaning === 'simBusy') return { status: 'busy' };
    if (report.stopped) throw report.stopped.error;
    const { iccid, imsi } = report.values;
    if (!iccid || !imsi) return { status: 'busy' };
    const number = report.values.number ?? (await this.#numberByUssd());
    const net = networkOf(imsi);
    this.#iccid = iccid;
    return {
      status: 'ready',
      sim: {
        iccid, imsi, phone: (number ?? '').replace(/^\+/, ''),
        country: net?.country ?? 'unknown', operator: net?.operator ?? 'unknown',
        // Whether a tariff allows forwarding is no SIM's to tell: the farm's operator says so per port (MODEM_CONFIG).
        canForward: typeof this.#o.canForward === 'function'
          ? this.#o.canForward({ iccid, country: net?.country ?? 'unknown', operator: net?.operator ?? 'unknown' })
          : (this.#o.canForward ?? false),
      },
    };
  }

  /** The SIM's number from the operator's USSD (MODEM_CONFIG numberUssd); undefined when unset or unanswered. */
  async #numberByUssd(): Promise<string | undefined> {
    if (!this.#o.numberUssd) return undefined;
    try {
      return numberIn(await this.ussd(this.#o.numberUssd));
    } catch {
      return undefined; // not registered yet, or the network did not answer: an operator can type it in
    }
  }

  async register(): Promise<Registration> {
    const v = await this.#run(network);
    return { registered: v.registration?.registered ?? false, operator: v.operator?.name ?? null, signalDbm: v.signal?.dbm ?? null };
  }

  async sweep(iccid: string, store: (sms: IncomingSms) => Promise<void>): Promise<number> {
    const at = this.#engine();
    const { stored = [] } = await this.#run(sweepRows);
    const ready: ReassembledSms<number>[] = [];
    for (const { index, pdu } of stored) {
      try {
        ready.push(...this.#parts.add(iccid, decodeDeliver(pdu), index));
      } catch (err) {
        if (!(err instanceof PduError)) throw err;
        // Nothing is lost: an undecodable PDU is stored as it is, then deleted like any other.
        const now = this.#o.now?.() ?? Date.now();
        const text = `[${err.code}] ${pdu}`;
        await store({ iccid, from: 'undecodable', text, receivedAt: now, fingerprint: fingerprint({ iccid, from: '', scts: 0, text: pdu }) });
        await this.#delete(at, [index]);
      }
    }
    ready.push(...this.#parts.expire());
    // Freed storage cells are reused, so index order is not arrival order: the network's timestamp is (ties keep index order).
    ready.sort((a, b) => a.scts - b.scts);
    for (const sms of ready) {
      await store({ iccid: sms.iccid, from: sms.from.replace(/^\+/, ''), text: sms.text, receivedAt: sms.scts, fingerprint: sms.fingerprint });
      await this.#delete(at, sms.storage);
    }
    return ready.length;
  }

  async switchSlot(slot: number) {
    await this.#engine().run(slotCommand[this.#o.slotDialect ?? 'csus'](slot), { timeoutMs: 10_000 });
  }

  async ussd(code: string): Promise<string> {
    if (!isUssdCode(code)) throw new AtError('AT_ANSWER', `not a USSD code: ${code}`);
    const at = this.#engine();
    this.#ussd ??= { wire: await ussdWireOf(at) };
    const { wire } = this.#ussd;
    const reply = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => done(() => reject(new AtError('AT_TIMEOUT', `no USSD reply to ${code}`))), 30_000);
      const onUrc = (urc: Urc) => {
        if (urc.type !== 'ussd') return;
        // m 0/1: the reply (1 = the network waits for more); 2: ended; 4: not supported; 5: timed out.
        if (urc.m <= 1 && urc.text !== undefined) done(() => resolve(ussdText(urc.text!, urc.dcs, wire)));
        else done(() => reject(new AtError('AT_ANSWER', `the network refused USSD ${code} (+CUSD: ${urc.m})`)));
      };
      const onClose = () => done(() => reject(new AtError('AT_CLOSED', 'the port closed before the USSD reply')));
      const done = (settle: () => void) => {
        clearTimeout(timer);
        at.off('urc', onUrc);
        at.off('close', onClose);
        settle();
      };
      at.on('urc', onUrc);
      at.once('close', onClose);
    });
    reply.catch(() => {}); // observed below; a send failure must not leave it unhandled
    await at.run(`AT+CUSD=1,"${ussdRequest(code, wire)}",15`, { timeoutMs: 10_000 });
    return reply;
  }

  async setForwarding(number: string | null) {
    const at = this.#engine();
    if (number === null) {
      await at.run('AT+CCFC=0,4', { timeoutMs: 15_000 }); // reason 0 unconditional, mode 4 erase
      return;
    }
    if (!/^\d{5,15}$/.test(number)) throw new AtError('AT_ANSWER', `not a phone number: ${number}`);
    await at.run(`AT+CCFC=0,3,"+${number}",145`, { timeoutMs: 15_000 }); // mode 3 register, 145 international
  }

  async forwarding(): Promise<string | null> {
    const { lines } = await this.#engine().run('AT+CCFC=0,2', { timeoutMs: 15_000 });
    for (const line of lines) {
      const m = /^\+CCFC:\s*1,\d+,"\+?(\d+)"/.exec(line);
      if (m) return m[1]!;
    }
    return null;
  }

  async #delete(at: AtRunner, indexes: readonly number[]) {
    for (const i of new Set(indexes)) {
      if (i < 0) continue; // a pushed part: never stored on the SIM
      try {
        await at.run(`AT+CMGD=${i}`, { timeoutMs: 5_000 });
      } catch (err) {
        // Already gone (a copy read twice): nothing to delete.
        if (!(err instanceof AtError && err.meaning === 'invalidIndex')) throw err;
      }
    }
  }

  async #run<R>(rows: AtSequence<R>): Promise<Partial<R>> {
    const report = await runSequence(this.#engine(), rows);
    if (report.stopped) throw report.stopped.error;
    return report.values;
  }

  #engine(): AtEngine {
    if (!this.#at || this.#at.closed) throw new AtError('AT_CLOSED', 'the port is not open');
    return this.#at;
  }
}
