import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A server the bench started as its own process, with the JSON line it printed once it was listening. */
export interface Child<Ready> {
  name: string;
  pid: number;
  ready: Ready;
  /** Asks it to stop (stdin closed, then SIGTERM), and kills it if it has not exited in time. */
  stop(): Promise<void>;
}

const running = new Set<Child<unknown>>();

/**
 * Runs `file` under tsx in a process of its own and waits for its first stdout
 * line, a JSON object. The child's stderr goes to ours; it also exits when its
 * stdin closes, so it does not outlive a bench that was killed.
 */
export function startChild<Ready>(
  name: string, file: URL, env: Record<string, string>, nodeArgs: string[] = [], timeoutMs = 120_000,
): Promise<Child<Ready>> {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', import.meta.resolve('tsx'), fileURLToPath(file)], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`${name}: ${why}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs / 1000} s`), timeoutMs);
    const onExit = (code: number | null, signal: string | null) => fail(`exited before it was ready (${signal ?? code})`);
    proc.once('exit', onExit);
    proc.once('error', (err) => fail(err.message));
    const lines = createInterface({ input: proc.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      proc.off('exit', onExit);
      let ready: Ready;
      try {
        ready = JSON.parse(line) as Ready;
      } catch {
        fail(`printed "${line.slice(0, 200)}" instead of its JSON ready line`);
        return;
      }
      lines.on('line', (more) => process.stderr.write(`[${name}] ${more}\n`));
      const child: Child<Ready> = { name, pid: proc.pid!, ready, stop: () => stopProcess(proc, child) };
      running.add(child as Child<unknown>);
      resolve(child);
    });
  });
}

function stopProcess(proc: ChildProcess, child: Child<unknown>): Promise<void> {
  running.delete(child);
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.stdin?.end();
    proc.kill('SIGTERM');
  });
}

/** Stops every child still running (used on the way out, also after an error or Ctrl-C). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop()));
}

/** In a child: runs `stop` once, on SIGTERM, SIGINT or the parent closing our stdin, then exits. */
export function onParentGone(stop: () => Promise<void>) {
  let stopping = false;
  const go = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', go);
  process.on('SIGINT', go);
  process.stdin.on('end', go);
  process.stdin.on('close', go);
  process.stdin.resume();
}

/** A signal to a detached child's whole process group (its socats, its daemons' helpers), else to the child. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal);
  }
}
