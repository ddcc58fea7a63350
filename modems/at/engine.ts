import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { AtError } from './errors.ts';
import { AtLineParser, PROMPT } from './line-parser.ts';
import { classify, finalResult, urcTable, type FinalResult, type Urc, type UrcRow } from './responses.ts';

/** Options of one command. */
export interface AtRunOptions {
  /** Rejects with AT_TIMEOUT when no final result code arrives in time; the engine's default otherwise. */
  timeoutMs?: number;
  /** Text to send after the `> ` prompt (the PDU hex of AT+CMGS=<len>); the engine ends it with Ctrl-Z. */
  input?: string;
}

/** A command's answer: its information lines, without the echo, the URCs and the final `OK`. */
export interface AtResult {
  lines: string[];
}

/** Anything that runs AT commands: the engine, or a test's script. */
export interface AtRunner {
  run(command: string, options?: AtRunOptions): Promise<AtResult>;
}

export interface AtEngineOptions {
  /** Default per-command timeout. */
  timeoutMs?: number;
  /** After a timeout, how long the port must give no answer line before the next command goes out. */
  quietMs?: number;
  /** Longest line kept (AtLineParser); longer ones are dropped as line noise. */
  maxLine?: number;
  /** Most information lines one answer keeps; more are dropped (a runaway modem cannot hoard memory). */
  maxLines?: number;
  /** URC rows to recognise; a vendor driver may extend the generic table. */
  urcs?: readonly UrcRow[];
}

/** Events of AtEngine. */
export interface AtEngineEvents {
  /** An unsolicited result code, whenever it arrives (between commands or inside an answer). */
  urc: [urc: Urc];
  /** A line no command owns: the late answer of a timed-out command, an unexpected prompt. For logs. */
  stray: [line: string];
  /** The port closed or failed; every pending command was rejected with AT_CLOSED. Emitted once. */
  close: [error: Error | undefined];
}

interface Pending extends AtResult {
  command: string;
  input: string | undefined;
  timeoutMs: number;
  resolve: (result: AtResult) => void;
  reject: (error: AtError) => void;
  timer?: NodeJS.Timeout;
  echoed: boolean;
  prompted: boolean;
  inputEchoed: boolean;
}

const CTRL_Z = '\x1a';
const ESC = '\x1b';
/** The wait after a timeout lasts at most this many quiet periods: a port that babbles on is not waited for forever. */
const drainPeriods = 10;

/**
 * An AT command engine over any Duplex byte stream (SerialPort, SerialPortMock,
 * a PTY stream): one command in flight, the rest queued in order (STYLE §6).
 *
 * Timeout recovery: when a command times out, its answer may still come. The
 * engine then sends nothing until that stray final result code arrives, or
 * until the port has given no answer line for `quietMs` (URCs don't count), so
 * a late `OK` is never taken as the next command's; a port that never stops
 * babbling is waited for ten quiet periods at most. A prompt command that
 * times out is sent ESC, which cancels a pending `> ` input (27.005 §3.5.1, §4.3).
 *
 * Echo: the echo of the command in flight (the `ATE0\r` artifact included) and
 * of its prompt input are recognised and skipped, so ATE1 modems work too.
 *
 * The engine never closes the stream it was given; `close()` only lets go.
 */
export class AtEngine extends EventEmitter<AtEngineEvents> {
  readonly #port: Duplex;
  readonly #parser: AtLineParser;
  readonly #timeoutMs: number;
  readonly #quietMs: number;
  readonly #maxLines: number;
  readonly #urcs: readonly UrcRow[];
  readonly #queue: Pending[] = [];
  #current: Pending | undefined;
  /** A URC that spans lines (`+CMT:` and its PDU), still collecting. */
  #urc: { row: UrcRow; lines: string[] } | undefined;
  /** Set after a timeout: waiting for the stray final code or for quiet. */
  #drain: NodeJS.Timeout | undefined;
  /** When the wait after a timeout ends, however much the port still talks. */
  #drainUntil = 0;
  #closed = false;

  constructor(port: Duplex, options: AtEngineOptions = {}) {
    super();
    this.#timeoutMs = positive('timeoutMs', options.timeoutMs ?? 5_000);
    this.#quietMs = positive('quietMs', options.quietMs ?? 1_000);
    this.#maxLines = positive('maxLines', options.maxLines ?? 2_048);
    this.#urcs = options.urcs ?? urcTable;
    this.#port = port;
    this.#parser = new AtLineParser(options.maxLine);
    this.#parser.on('data', (token: string) => this.#token(token));
    port.pipe(this.#parser);
    port.on('error', this.#onError);
    port.on('close', this.#onClose);
    port.on('end', this.#onClose);
  }

  /** True once the port closed or close() was called; run() then rejects with AT_CLOSED. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Commands not yet answered, the one in flight included. */
  get pending(): number {
    return this.#queue.length + (this.#current ? 1 : 0);
  }

  /**
   * Queues `command` (without CR) and resolves with its information lines, or
   * rejects with AtError: AT_ERROR, AT_CME, AT_CMS (with `n`), AT_TIMEOUT, AT_CLOSED.
   * A malformed command or option throws at once.
   */
  run(command: string, options: AtRunOptions = {}): Promise<AtResult> {
    if (command.length === 0 || /[\r\n]/.test(command)) throw new TypeError(`AtEngine.run: bad command ${JSON.stringify(command)}`);
    const { input } = options;
    if (input !== undefined && /[\r\n\x1a\x1b]/.test(input)) throw new TypeError('AtEngine.run: input must not hold CR, LF, Ctrl-Z or ESC');
    const timeoutMs = positive('timeoutMs', options.timeoutMs ?? this.#timeoutMs);
    if (this.#closed) return Promise.reject(closedError(command));
    return new Promise<AtResult>((resolve, reject) => {
      this.#queue.push({ command, input, timeoutMs, resolve, reject, lines: [], echoed: false, prompted: false, inputEchoed: false });
      this.#pump();
    });
  }

  /** Lets go of the port (it stays open) and rejects every pending command with AT_CLOSED. */
  close(): void {
    this.#end(undefined);
  }

  #pump(): void {
    if (this.#closed || this.#current || this.#drain) return;
    const next = this.#queue.shift();
    if (!next) return;
    this.#current = next;
    next.timer = setTimeout(() => this.#timeout(next), next.timeoutMs);
    this.#write(`${next.command}\r`);
  }

  #token(token: string): void {
    if (this.#closed) return;
    if (this.#urc) {
      const { row, lines } = this.#urc;
      if (token !== PROMPT && (row.takes ? row.takes(token) : finalResult(token) === undefined)) {
        lines.push(token);
        if (!row.open?.(lines)) this.#emitUrc();
        return;
      }
      this.#emitUrc();
    }
    if (token === PROMPT) return this.#prompt();
    const c = this.#current;
    if (c && this.#echo(c, token)) return;
    const line = classify(token, c?.command, this.#urcs);
    if (line.kind === 'final') return c ? this.#settle(c, line.final) : this.#strayFinal(token);
    if (line.kind === 'urc') {
      this.#urc = { row: line.row, lines: [token] };
      if (!line.row.open?.(this.#urc.lines)) this.#emitUrc();
      return;
    }
    if (c) {
      if (c.lines.length < this.#maxLines) c.lines.push(token);
    } else if (this.#drain) {
      this.emit('stray', token);
      this.#quiet();
    } else {
      this.emit('urc', { type: 'noise', line: token });
    }
  }

  #emitUrc(): void {
    const urc = this.#urc!;
    this.#urc = undefined;
    this.emit('urc', urc.row.parse(urc.lines));
  }

  /** Skips the echo of the command line, and of the prompt input, each once. */
  #echo(c: Pending, line: string): boolean {
    if (!c.echoed && c.lines.length === 0 && line.endsWith(c.command)) return (c.echoed = true);
    if (c.prompted && !c.inputEchoed && c.input !== undefined && line.replace(/[\x1a\x1b]/g, '').endsWith(c.input)) {
      return (c.inputEchoed = true);
    }
    return false;
  }

  #prompt(): void {
    const c = this.#current;
    if (c && c.input !== undefined && !c.prompted) {
      c.prompted = true;
      this.#write(c.input + CTRL_Z);
      return;
    }
    // Nobody waits for this prompt: cancel it, or the modem would take our next command as message text.
    this.#write(ESC);
    this.emit('stray', PROMPT);
  }

  #settle(c: Pending, final: FinalResult): void {
    clearTimeout(c.timer);
    this.#current = undefined;
    if (final.type === 'ok') c.resolve({ lines: c.lines });
    else c.reject(failure(c.command, final));
    this.#pump();
  }

  #strayFinal(line: string): void {
    this.emit('stray', line);
    if (!this.#drain) return;
    clearTimeout(this.#drain);
    this.#drain = undefined;
    this.#pump();
  }

  #timeout(c: Pending): void {
    this.#current = undefined;
    if (c.input !== undefined) this.#write(ESC);
    c.reject(new AtError('AT_TIMEOUT', `${c.command}: no answer in ${c.timeoutMs} ms`, { command: c.command }));
    this.#drainUntil = Date.now() + drainPeriods * this.#quietMs;
    this.#quiet();
  }

  /** (Re)starts the quiet period after a timeout; when it ends, the next command goes out. */
  #quiet(): void {
    clearTimeout(this.#drain);
    this.#drain = setTimeout(() => {
      this.#drain = undefined;
      this.#pump();
    }, Math.max(0, Math.min(this.#quietMs, this.#drainUntil - Date.now())));
  }

  #write(text: string): void {
    this.#port.write(Buffer.from(text, 'latin1'), (error) => {
      if (error) this.#end(error);
    });
  }

  readonly #onError = (error: Error): void => this.#end(error);
  readonly #onClose = (error?: Error | null): void => this.#end(error ?? undefined);

  #end(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#drain);
    this.#drain = undefined;
    this.#port.unpipe(this.#parser);
    this.#port.off('close', this.#onClose);
    this.#port.off('end', this.#onClose);
    // The error listener stays: a port that errors after we let go must not crash the process.
    const pending = this.#current ? [this.#current, ...this.#queue] : [...this.#queue];
    this.#current = undefined;
    this.#queue.length = 0;
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(closedError(p.command, error));
    }
    this.emit('close', error);
  }
}

function failure(command: string, final: Exclude<FinalResult, { type: 'ok' }>): AtError {
  if (final.type === 'error') return new AtError('AT_ERROR', `${command}: ${final.line}`, { command, line: final.line });
  const code = final.type === 'cme' ? 'AT_CME' : 'AT_CMS';
  return new AtError(code, `${command}: ${final.line}`, { command, line: final.line, ...(final.n === undefined ? {} : { n: final.n }) });
}

function closedError(command: string, cause?: Error): AtError {
  return new AtError('AT_CLOSED', `${command}: port closed${cause ? ` (${cause.message})` : ''}`, { command });
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`AtEngine: ${name} must be a positive number, got ${value}`);
  return value;
}
