import test from 'ava';
import { spawn } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closePort, openPort } from '../../../modems/simulator/at/index.ts';
import { Host, tempDir } from './helpers.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('main.ts runs the farm as its own process: prints the control URL and MODEM_PORTS, and SIGTERM takes the ports away', async (t) => {
  const dir = await tempDir(t);
  const child = spawn(process.execPath, ['--import', 'tsx', 'modems/simulator/at/main.ts', '--channels', '2', '--slots', '3', '--dir', dir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const printed = await new Promise<{ url: string; ports: string[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up lines:\n${out}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /^control (\S+)$/m.exec(out)?.[1];
      const ports = /^MODEM_PORTS=(\S+)$/m.exec(out)?.[1];
      if (url && ports) {
        clearTimeout(timer);
        resolve({ url, ports: ports.split(',') });
      }
    });
  });
  t.deepEqual(printed.ports, [join(dir, 'sim-001'), join(dir, 'sim-002')]);
  const channels = (await (await fetch(`${printed.url}/channels`)).json()) as { slots: unknown[] }[];
  t.deepEqual(channels.map((c) => c.slots.length), [3, 3]);

  const port = await openPort(printed.ports[1]!);
  const host = new Host(port);
  t.is(await host.command('AT'), 'AT\r\r\nOK\r\n');
  child.kill('SIGTERM');
  t.is(await exited, 0);
  t.true(await host.disconnected());
  await closePort(port);
  t.false(await lstat(printed.ports[1]!).then(() => true, () => false));
});
