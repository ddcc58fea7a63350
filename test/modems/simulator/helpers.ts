import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { SerialPort } from 'serialport';
import { Cable, closePort, openPort, SimCard, VirtualModem, type VirtualModemOptions } from '../../../modems/simulator/at/index.ts';
import { simulatedSim } from '../../../modems/index.ts';

/** A final result code or the CMGS prompt ends an answer. */
const final = /\r\n(?:OK|ERROR|\+CME ERROR: [^\r]*|\+CMS ERROR: [^\r]*)\r\n|\r\n> /;

/** The host side of a simulated channel: a real serialport on the PTY, reading everything. */
export class Host {
  #received = '';
  #waiters: (() => boolean)[] = [];
  /** Settles when serialport closes the port by itself. */
  readonly #closed: Promise<true>;

  constructor(readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      this.#received += chunk.toString('latin1');
      this.#waiters = this.#waiters.filter((w) => !w());
    });
    port.on('error', () => {}); // a write into a vanished PTY fails with EIO; `close` says the rest
    this.#closed = new Promise((done) => port.once('close', () => done(true)));
  }

  /**
   * Resolves once serialport has closed the port by itself after its PTY went
   * away: with a DisconnectedError when a read or poll fails, or by destroying
   * the stream when a write fails with EIO. A PTY hangup, like a ttyUSB unplug
   * on Linux, can also make reads return EOF, which bindings-cpp 13 retries
   * without end (serialport/bindings-cpp#162); so this pokes the port as a
   * driver's next command would.
   */
  disconnected(timeoutMs = 5_000): Promise<true> {
    const poke = setInterval(() => this.port.isOpen && this.port.write('AT\r', () => {}), 50);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the port never closed')), timeoutMs).unref());
    return Promise.race([this.#closed, timeout]).finally(() => clearInterval(poke));
  }

  /** Everything received so far, and clears it. */
  take(): string {
    const all = this.#received;
    this.#received = '';
    return all;
  }

  /**
   * Waits for `pattern` in what was received; returns everything up to the end
   * of its first match and keeps the rest (a URC right behind an answer).
   */
  next(pattern: RegExp, timeoutMs = 3_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const w = () => {
        const m = pattern.exec(this.#received);
        if (!m) return false;
        clearTimeout(timer);
        const end = m.index + m[0].length;
        resolve(this.#received.slice(0, end));
        this.#received = this.#received.slice(end);
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        reject(new Error(`timed out waiting for ${pattern}; received ${JSON.stringify(this.#received)}`));
      }, timeoutMs);
      if (!w()) this.#waiters.push(w);
    });
  }

  /** The next unsolicited line, `\r\n<line>\r\n`. */
  urc(timeoutMs = 3_000): Promise<string> {
    return this.next(/^\r\n[^\r]*\r\n/, timeoutMs);
  }

  /** Sends `AT…\r` and returns the bytes up to and including the final result code (or `> `). */
  async command(text: string, timeoutMs = 3_000): Promise<string> {
    this.take();
    this.port.write(`${text}\r`);
    return this.next(final, timeoutMs);
  }

  /** Sends raw text (a PDU and Ctrl-Z) and returns the answer up to its final result. */
  async send(text: string, timeoutMs = 3_000): Promise<string> {
    this.port.write(text);
    return this.next(final, timeoutMs);
  }
}

/** A temporary directory removed when the test ends. */
export async function tempDir(t: ExecutionContext, prefix = 'getsms-sim-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** SIM cards for slots 1…k made from the farm's deterministic identities, starting at `first`. */
export const sims = (k: number, first = 0) => Array.from({ length: k }, (_, i) => new SimCard(simulatedSim(first + i)));

/** A VirtualModem on a real PTY pair with serialport on the host side; all torn down after the test. */
export async function channel(t: ExecutionContext, options: VirtualModemOptions = {}) {
  const dir = await tempDir(t);
  const modem = new VirtualModem({ sims: sims(options.slots ?? 1), simBusyMs: 50, ussdDelayMs: 20, ...options });
  const cable = new Cable(modem, join(dir, 'host'), join(dir, 'modem'));
  await cable.plug();
  const port = await openPort(cable.hostLink);
  t.teardown(async () => {
    await closePort(port);
    await cable.unplug();
  });
  return { modem, cable, host: new Host(port), dir };
}
