import { Transform, type TransformCallback } from 'node:stream';

/** The token AtLineParser emits for the `> ` input prompt (AT+CMGS, AT+CUSD in text mode). */
export const PROMPT = '> ';

/**
 * Bytes in, lines out (STYLE §6). A line ends at CR, LF or CRLF: 27.007 §4.1
 * says CRLF, but some modems end a line with a lone CR or LF, and the echo of a
 * command ends with the CR we sent (`ATE0\r`). Empty lines are dropped, so the
 * three endings give the same tokens however the bytes are split.
 *
 * The `> ` prompt has no line end: it is emitted as PROMPT when a line starts
 * with it. A line longer than `maxLine` is line noise: it is dropped whole, and
 * the buffer never holds more than `maxLine` characters between chunks.
 * Decoding is latin1 (1 byte = 1 char): AT answers and hex PDUs are ASCII, and
 * no byte is ever lost or merged.
 */
export class AtLineParser extends Transform {
  readonly maxLine: number;
  #pending = '';
  /** Inside a line that outgrew maxLine: drop until its end. */
  #dropping = false;

  constructor(maxLine = 4096) {
    super({ readableObjectMode: true });
    if (!Number.isInteger(maxLine) || maxLine < PROMPT.length) {
      throw new RangeError(`AtLineParser: maxLine must be an integer ≥ ${PROMPT.length}, got ${maxLine}`);
    }
    this.maxLine = maxLine;
  }

  /** Characters held back waiting for their line end; never more than maxLine. */
  get pendingLength(): number {
    return this.#pending.length;
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    const text = this.#pending + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    let start = 0; // always the start of a line, unless #dropping
    for (;;) {
      if (!this.#dropping && text.startsWith(PROMPT, start)) {
        this.push(PROMPT);
        start += PROMPT.length;
        continue;
      }
      const end = lineEnd(text, start);
      if (end === -1) break;
      if (this.#dropping) this.#dropping = false;
      else if (end > start && end - start <= this.maxLine) this.push(text.slice(start, end));
      start = end + 1;
    }
    this.#pending = text.slice(start);
    if (this.#pending.length > this.maxLine) {
      this.#pending = '';
      this.#dropping = true;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (!this.#dropping && this.#pending.length > 0) this.push(this.#pending);
    this.#pending = '';
    done();
  }
}

const lineEnds = /[\r\n]/g;

function lineEnd(text: string, from: number): number {
  lineEnds.lastIndex = from;
  return lineEnds.exec(text)?.index ?? -1;
}
