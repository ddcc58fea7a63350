import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { controlClient } from '../../modems/simulator/at/index.ts';
import { daemon } from './processes.ts';

/** The AT simulator's process, its PTY links and its control API. */
export interface Simulator {
  control: string;
  ports: string[];
  proc: ChildProcess;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** The AT simulator in its own process (as test/helpers/simulator-process.ts), `channels` × 1 slot, PTY links under `work`. */
export function startSimulator(work: string, channels: number, baud: number): Promise<Simulator> {
  const dir = join(work, 'farm');
  mkdirSync(dir);
  const log: string[] = [];
  const proc = daemon(process.execPath, [
    '--import', 'tsx', 'modems/simulator/at/main.ts',
    '--channels', String(channels), '--slots', '1', '--dir', dir, '--baud', String(baud), '--sim-busy-ms', '100',
  ], log);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start:\n${log.join('')}`)), 30_000);
    const onData = () => {
      const out = log.join('');
      const control = /control (http:\/\/\S+)/.exec(out)?.[1];
      const ports = /MODEM_PORTS=(\S+)/.exec(out)?.[1];
      if (!control || !ports) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      resolve({
        control, ports: ports.split(','), proc,
        call: controlClient(control).call,
      });
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with ${code}:\n${log.join('')}`));
    });
  });
}
