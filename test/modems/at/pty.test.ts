import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { AtEngine, AtError, type Urc } from '../../../modems/at/index.ts';
import { pduLatin } from './fixtures.ts';

/**
 * The engine on the real serialport binding: a socat pseudo-terminal pair, the
 * engine on one end and a tiny echoing modem on the other (modem-notes §2.3:
 * the first line carries the `ATE0\r` echo artifact). Killing socat is a USB
 * unplug: the port reads EIO and closes.
 */

const hasSocat = spawnSync('socat', ['-V']).status === 0;
const ptyTest = hasSocat ? test : test.skip;

async function ptyPair(t: import('ava').ExecutionContext) {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-at-'));
  const [host, modem] = [join(dir, 'host'), join(dir, 'modem')];
  const socat = spawn('socat', [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${modem}`], { stdio: 'ignore' });
  t.teardown(() => {
    socat.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 500 && !(existsSync(host) && existsSync(modem)); i++) await new Promise((r) => setTimeout(r, 10));
  return { host, modem, socat };
}

/** Answers each command line, echoing it first (ATE1), from a table; unknown commands get ERROR. */
function echoingModem(port: SerialPort, answers: Readonly<Record<string, string>>): void {
  let line = '';
  port.on('data', (chunk: Buffer) => {
    for (const ch of chunk.toString('latin1')) {
      if (ch !== '\r') {
        line += ch;
        continue;
      }
      port.write(`${line}\r`);
      port.write(answers[line] ?? '\r\nERROR\r\n');
      line = '';
    }
  });
}

ptyTest('over a real PTY: echo on, a URC inside a listing, then an unplug rejects with AT_CLOSED', async (t) => {
  const { host, modem, socat } = await ptyPair(t);
  const modemPort = new SerialPort({ path: modem, baudRate: 115_200 });
  await once(modemPort, 'open');
  modemPort.on('error', () => {});
  t.teardown(() => new Promise<void>((resolve) => (modemPort.isOpen ? modemPort.close(() => resolve()) : resolve())));
  echoingModem(modemPort, {
    ATE0: '\r\nOK\r\n',
    'AT+CMGL=4': `\r\n+CMGL: 3,0,,34\r\n${pduLatin}\r\n\r\n+CMTI: "SM",4\r\n\r\nOK\r\n`,
  });
  const port = new SerialPort({ path: host, baudRate: 115_200 });
  port.on('error', () => {});
  const engine = new AtEngine(port, { timeoutMs: 3_000, quietMs: 100 });
  const seen: Urc[] = [];
  engine.on('urc', (u) => seen.push(u));
  t.teardown(() => engine.close());

  t.deepEqual(await engine.run('ATE0'), { lines: [] });
  t.deepEqual(await engine.run('AT+CMGL=4'), { lines: ['+CMGL: 3,0,,34', pduLatin] });
  t.deepEqual(seen, [{ type: 'sms.stored', storage: 'SM', index: 4 }]);

  // The modem goes silent and its cable is pulled. The binding notices the hang-up on its pending
  // read, or (it races, on a PTY) not until the next write fails with EIO: at most one timeout, then AT_CLOSED.
  modemPort.removeAllListeners('data');
  const closed = once(engine, 'close');
  socat.kill();
  const codes: string[] = [];
  for (let i = 0; i < 3 && codes.at(-1) !== 'AT_CLOSED'; i++) {
    const error = await engine.run('AT+CSQ', { timeoutMs: 500 }).then(() => undefined, (e: unknown) => e);
    codes.push(error instanceof AtError ? error.code : String(error));
  }
  t.true(['AT_CLOSED', 'AT_TIMEOUT,AT_CLOSED'].includes(codes.join()), codes.join());
  await closed;
  t.true(engine.closed);
});
