import type { SerialPort } from 'serialport';
import { closePort, openPort, PtyPair } from './pty.ts';
import type { VirtualModem } from './virtual-modem.ts';

/**
 * A VirtualModem plugged into a PTY pair: the modem speaks through
 * serialport on `modemLink`, a driver opens `hostLink`. Unplugging cuts power
 * and removes the port (the driver sees it vanish); replugging brings a new
 * pair up at the same path and boots the modem.
 */
export class Cable {
  #pair: PtyPair | undefined;
  #port: SerialPort | undefined;
  #busy: Promise<void> = Promise.resolve();
  #wasUnplugged = false;

  constructor(
    readonly modem: VirtualModem,
    readonly hostLink: string,
    readonly modemLink: string,
    readonly baudRate = 115_200,
  ) {}

  get plugged(): boolean {
    return this.#pair !== undefined;
  }

  /** Brings the port up; after an unplug the modem boots as on power-on. */
  plug(): Promise<void> {
    return this.#serial(async () => {
      if (this.#pair) return;
      const pair = await PtyPair.open(this.modemLink, this.hostLink);
      try {
        this.#port = await openPort(this.modemLink, this.baudRate);
      } catch (e) {
        await pair.close();
        throw e;
      }
      this.#pair = pair;
      const wasOff = this.#wasUnplugged;
      this.modem.attach(this.#port);
      if (wasOff) this.modem.powerOn();
    });
  }

  /** Power off and remove the port: the driver's open handle reads EIO/EOF, the path disappears. */
  unplug(): Promise<void> {
    return this.#serial(async () => {
      if (!this.#pair) return;
      this.modem.powerOff();
      this.#wasUnplugged = true;
      const port = this.#port!;
      const pair = this.#pair;
      this.#port = undefined;
      this.#pair = undefined;
      await pair.close();
      await closePort(port);
    });
  }

  /** Plug and unplug run one at a time, in the order asked. */
  #serial(step: () => Promise<void>): Promise<void> {
    const next = this.#busy.then(step);
    this.#busy = next.catch(() => {});
    return next;
  }
}
