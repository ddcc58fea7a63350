import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { SerialPort } from 'serialport';

/** A simulator error with a stable code (compare codes, never text). */
export class SimulatorError extends Error {
  constructor(readonly code: 'SIM_SOCAT_MISSING' | 'SIM_PTY_START' | 'SIM_PORT_OPEN' | 'SIM_SMS_HELD', message: string) {
    super(message);
  }
}

/**
 * A linked pair of pseudo-terminals made by socat (no native add-on): bytes
 * written on one side are read on the other. The modem opens `modemLink`,
 * the driver under test (getsms, gammu, smsd) opens `hostLink`.
 */
export class PtyPair {
  readonly #child: ChildProcess;
  readonly exited: Promise<void>;

  private constructor(readonly modemLink: string, readonly hostLink: string, child: ChildProcess) {
    this.#child = child;
    this.exited = new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) done();
      else child.once('exit', () => done());
    });
  }

  /** Starts socat and resolves once both links exist (socat says "starting data transfer loop"). */
  static async open(modemLink: string, hostLink: string, timeoutMs = 5_000): Promise<PtyPair> {
    await Promise.all([mkdir(dirname(modemLink), { recursive: true }), mkdir(dirname(hostLink), { recursive: true })]);
    const socat = onPath('socat');
    if (!socat) throw new SimulatorError('SIM_SOCAT_MISSING', 'socat is not installed (Debian: apt-get install socat)');
    const args = ['-d', '-d', `pty,raw,echo=0,link=${modemLink}`, `pty,raw,echo=0,link=${hostLink}`];
    // socat holds both PTY slaves open itself, so it never notices its owner is gone: a SIGKILLed simulator
    // would leave it running for ever. setpriv (util-linux) asks the kernel for a SIGTERM when the owner dies
    // (PR_SET_PDEATHSIG) and then execs socat, so the child is socat itself, as before. Where setpriv is
    // missing (not Linux), socat runs bare and only a clean stop ends it. With that guard it also gets its
    // own process group, so a terminal's Ctrl+C reaches only its owner, which then unplugs the farm in order.
    const setpriv = onPath('setpriv');
    const [command, argv] = setpriv ? [setpriv, ['--pdeathsig', 'TERM', '--', socat, ...args]] : [socat, args];
    const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'], detached: setpriv !== undefined });
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const fail = (error: SimulatorError) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new SimulatorError('SIM_PTY_START', `socat did not link ${hostLink} within ${timeoutMs} ms:\n${log}`)),
        timeoutMs,
      );
      child.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (!log.includes('starting data transfer loop')) return;
        clearTimeout(timer);
        child.stderr!.removeAllListeners('data');
        child.stderr!.resume(); // keep draining so socat never blocks on a full pipe
        resolve();
      });
      child.once('error', (e: NodeJS.ErrnoException) =>
        fail(
          e.code === 'ENOENT'
            ? new SimulatorError('SIM_SOCAT_MISSING', 'socat is not installed (Debian: apt-get install socat)')
            : new SimulatorError('SIM_PTY_START', `socat: ${e.message}`),
        ),
      );
      child.once('exit', (code) => fail(new SimulatorError('SIM_PTY_START', `socat exited with ${code}:\n${log}`)));
    });
    child.removeAllListeners('exit');
    child.removeAllListeners('error');
    child.on('error', () => {}); // a failed kill later must not crash the farm; `exited` still settles
    return new PtyPair(modemLink, hostLink, child);
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /**
   * Ends socat: both PTYs close, so whoever holds either side reads EOF or
   * EIO (serialport: `close` with `disconnected`), and the links go.
   */
  async close(): Promise<void> {
    if (this.alive) this.#child.kill('SIGTERM');
    await this.exited;
    // socat unlinks on SIGTERM; a SIGKILLed one leaves dangling links behind.
    await Promise.all([rm(this.modemLink, { force: true }), rm(this.hostLink, { force: true })]);
  }
}

/** The executable `name` on PATH, or undefined. */
function onPath(name: string): string | undefined {
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)).find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Opens a PTY with serialport's real binding, resolving once it is open. */
export function openPort(path: string, baudRate = 115_200): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((error) =>
      error ? reject(new SimulatorError('SIM_PORT_OPEN', `cannot open ${path}: ${error.message}`)) : resolve(port),
    );
  });
}

/** Closes a serialport, ignoring one that is already gone. */
export function closePort(port: SerialPort): Promise<void> {
  return new Promise((done) => (port.isOpen ? port.close(() => done()) : done()));
}
