/**
 * One direction of a serial line at a baud rate. A PTY moves bytes as fast as
 * the kernel copies them, so a simulated UART modem paces them itself: with
 * 8N1 framing a byte is 10 bits, 86.8 µs at 115200 baud (modem-notes §5).
 * Bytes reach the sink in order, a few per millisecond tick, each no earlier
 * than its last bit would have crossed the wire. Without a baud rate the
 * sink gets every chunk at once (a USB modem: the baud setting is ignored).
 */
export class PacedWire {
  readonly #msPerByte: number | undefined;
  readonly #sink: (chunk: Buffer) => void;
  #queue: Buffer[] = [];
  /** performance.now() up to which the wire has carried what was sent. */
  #clock = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(baudRate: number | undefined, sink: (chunk: Buffer) => void, bitsPerByte = 10) {
    if (baudRate !== undefined && !(baudRate > 0)) throw new RangeError(`baud rate must be positive, got ${baudRate}`);
    this.#msPerByte = baudRate === undefined ? undefined : (bitsPerByte * 1000) / baudRate;
    this.#sink = sink;
  }

  /** How long `bytes` take on this wire, in ms (0 when unpaced). */
  duration(bytes: number): number {
    return (this.#msPerByte ?? 0) * bytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.#msPerByte === undefined) return this.#sink(chunk);
    if (this.#queue.length === 0) this.#clock = Math.max(this.#clock, performance.now());
    this.#queue.push(chunk);
    if (!this.#timer) this.#pump(); // else the pending tick carries it
  }

  /** Drops whatever has not crossed yet (the line went down). */
  clear(): void {
    this.#queue = [];
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #pump = () => {
    this.#timer = undefined;
    const perByte = this.#msPerByte!;
    let due = Math.floor((performance.now() - this.#clock) / perByte);
    const out: Buffer[] = [];
    while (due > 0 && this.#queue.length > 0) {
      const head = this.#queue[0]!;
      const take = Math.min(due, head.length);
      out.push(head.subarray(0, take));
      if (take === head.length) this.#queue.shift();
      else this.#queue[0] = head.subarray(take);
      due -= take;
      this.#clock += take * perByte;
    }
    if (out.length > 0) this.#sink(Buffer.concat(out));
    if (this.#queue.length > 0 && !this.#timer) {
      const wait = this.#clock + perByte - performance.now();
      this.#timer = setTimeout(this.#pump, Math.max(1, Math.ceil(wait)));
    }
  };
}
