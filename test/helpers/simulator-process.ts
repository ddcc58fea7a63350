import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlClient } from '../../modems/simulator/at/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface SimulatorProcess {
  control: string;
  ports: string[];
  /** A JSON call to the simulator's control API. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Everything the process printed so far (with `--trace`, every byte on every line). */
  output(): string;
  stop(): Promise<void>;
}

/** The AT modem simulator in its own process, on real PTYs under a temp directory. */
export function startSimulatorProcess(args: string[]): Promise<SimulatorProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-simfarm-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'modems/simulator/at/main.ts', '--dir', dir, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const control = /control (http:\/\/\S+)/.exec(out)?.[1];
      const ports = /MODEM_PORTS=(\S+)/.exec(out)?.[1];
      if (!control || !ports) return;
      clearTimeout(timer);
      resolve({
        control,
        ports: ports.split(','),
        call: controlClient(control).call,
        output: () => out,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
          rmSync(dir, { recursive: true, force: true });
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with ${code}:\n${out}`));
    });
  });
}
