import { answerText } from './answers.ts';
import { parseArgs, parseCommandLine } from './command-line.ts';
import type { Command, CommandTable, ModemContext, Reply } from './types.ts';

const maxLine = 4_096; // line noise never grows a buffer past this

export interface InterpreterOptions {
  table: CommandTable;
  context: ModemContext;
  /** Bytes to the host (echo and answers), in order. */
  write: (bytes: Buffer) => void;
  delays?: Readonly<Record<string, number>>;
  defaultDelayMs?: number;
}

/**
 * The modem's command side: bytes from the host become command lines (ended
 * by CR, V.250 S3), echoed while echo is on; one line runs at a time after
 * its answer delay, through the command table; a `> ` prompt collects hex up
 * to Ctrl-Z (send) or Esc (cancel).
 */
export class Interpreter {
  readonly #o: InterpreterOptions;
  #line = '';
  #echo: number[] = [];
  #prompt: ((input: string) => Reply) | undefined;
  #pdu = '';
  #queue: string[] = [];
  #working = false;
  /** Bumped by reset(): a line waiting out its delay from before is dropped. */
  #epoch = 0;

  constructor(options: InterpreterOptions) {
    this.#o = options;
  }

  /** Forgets everything half-received or queued (restart, power-off, a hung modem resuming). */
  reset(): void {
    this.#epoch++;
    this.#line = '';
    this.#echo = [];
    this.#prompt = undefined;
    this.#pdu = '';
    this.#queue = [];
    this.#working = false;
  }

  receive(chunk: Buffer): void {
    for (const byte of chunk) {
      if (this.#prompt) this.#promptByte(byte);
      else this.#commandByte(byte);
    }
    this.#flushEcho();
  }

  /** Echo goes out as the bytes arrive (CR included), batched per chunk and always before the answer. */
  #flushEcho() {
    if (this.#echo.length === 0) return;
    this.#o.write(Buffer.from(this.#echo));
    this.#echo = [];
  }

  #commandByte(byte: number) {
    if (this.#o.context.settings.echo) this.#echo.push(byte);
    if (byte === 0x0d) {
      const text = this.#line.trim();
      this.#line = '';
      this.#flushEcho();
      if (/^AT/i.test(text)) {
        this.#queue.push(text);
        void this.#work();
      }
    } else if (byte !== 0x0a || this.#line !== '') {
      this.#line = this.#line.length < maxLine ? this.#line + String.fromCharCode(byte) : '';
    }
  }

  #promptByte(byte: number) {
    if (byte === 0x1a || byte === 0x1b) {
      const prompt = this.#prompt!;
      this.#prompt = undefined;
      const reply: Reply = byte === 0x1a ? prompt(this.#pdu.trim()) : { lines: [], result: 'OK' };
      this.#pdu = '';
      this.#flushEcho();
      this.#answer(reply);
      void this.#work();
      return;
    }
    if (this.#o.context.settings.echo) this.#echo.push(byte);
    this.#pdu = this.#pdu.length < maxLine ? this.#pdu + String.fromCharCode(byte) : '';
  }

  #answer(reply: Reply) {
    this.#o.write(Buffer.from(answerText(reply, this.#o.context.settings.cmee), 'latin1'));
  }

  /** One command line at a time, each after its answer delay; a `> ` prompt holds the queue. */
  async #work() {
    if (this.#working) return;
    this.#working = true;
    const epoch = this.#epoch;
    try {
      while (this.#queue.length > 0 && !this.#prompt && epoch === this.#epoch) {
        const commands = parseCommandLine(this.#queue.shift()!.slice(2));
        const delay = this.#delay(commands ?? []);
        if (delay > 0) await new Promise((done) => setTimeout(done, delay)); // a reset meanwhile voids the line
        if (epoch !== this.#epoch) return;
        const reply = commands ? this.#execute(commands) : { lines: [], result: 'ERROR' as const };
        this.#answer(reply);
        if (reply.prompt) this.#prompt = reply.prompt;
      }
    } finally {
      if (epoch === this.#epoch) this.#working = false;
    }
  }

  /** A line takes as long as its slowest command. */
  #delay(commands: Command[]): number {
    const base = this.#o.defaultDelayMs ?? 0;
    return Math.max(base, ...commands.map((c) => this.#o.delays?.[c.name] ?? base));
  }

  #execute(commands: Command[]): Reply {
    const lines: string[] = [];
    for (const c of commands) {
      const handler = this.#o.table[c.name]?.[c.form];
      // Unknown command or form: "operation not supported", plain ERROR while AT+CMEE=0.
      if (!handler) return { lines, result: { cme: 4 } };
      const reply = handler(this.#o.context, parseArgs(c.args));
      lines.push(...reply.lines);
      if (reply.prompt || reply.result !== 'OK') return { ...reply, lines };
    }
    return { lines, result: 'OK' };
  }
}
