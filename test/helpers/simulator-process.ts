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
        call: calling(controlClient(control).call, () => child.exitCode !== null || child.signalCode !== null, () => out),
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

/**
 * The control API's calls, said clearly when they fail on the connection: a simulator that died is named
 * with its output. A socket that failed under a live simulator (seen once under a full CI run's load) is
 * tried once more for the calls that are safe to repeat (reads, plugging, unplugging), never for an SMS.
 */
function calling(call: SimulatorProcess['call'], dead: () => boolean, output: () => string): SimulatorProcess['call'] {
  return async (method, path, body) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(method, path, body);
      } catch (err) {
        if (!(err instanceof TypeError)) throw err; // an answer (4xx/5xx) is the test's to judge
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why = `${method} ${path}: ${err.message} (${cause?.code ?? cause?.message ?? 'no cause'})`;
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (dead()) throw new Error(`${why}; the simulator process died:\n${output()}`);
        const repeatable = method === 'GET' || method === 'PUT' || /\/(unplug|replug|plug)$/.test(path);
        if (attempt >= 2 || !repeatable) throw new Error(`${why}; the simulator is running:\n${output()}`);
      }
    }
  };
}
