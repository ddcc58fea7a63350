import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { signalGroup } from '../child.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const spawned = new Set<ChildProcess>();

/**
 * Runs `command` from the repository root in its own process group (smsd forks a modem process, the simulator
 * a socat per channel), so stopping it ends the whole group. Its output goes to `log`, the last 200 chunks kept.
 */
export function daemon(command: string, args: string[], log: string[]): ChildProcess {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  spawned.add(child);
  const keep = (c: Buffer) => {
    log.push(c.toString());
    if (log.length > 200) log.splice(0, log.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('exit', () => spawned.delete(child));
  return child;
}

/** SIGTERM to the daemon's group, SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopDaemon(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const group = (signal: NodeJS.Signals) => signalGroup(child, signal);
  group('SIGTERM');
  const killer = setTimeout(() => group('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
  spawned.delete(child);
}

/** Stops every daemon still running (on the way out, also after an error or Ctrl-C). */
export async function stopDaemons(): Promise<void> {
  await Promise.all([...spawned].map((c) => stopDaemon(c)));
}
