import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface AgentProcess {
  child: ChildProcess;
  /** The control API of the agent's simulated farm (absent when it drives ports). */
  control: string | undefined;
  output(): string;
  /** SIGKILL: the link drops as in a power cut; nothing on the agent's side says goodbye. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** `npx getsms agent …` as a child process; resolves once it says which channels it serves. */
export function startAgentProcess(args: string[], env: Record<string, string> = {}): Promise<AgentProcess> {
  const child = spawn(process.execPath, ['bin/getsms.js', 'agent', ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start:\n${out}`)), 120_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!/^agent: \d+ channel/m.test(out)) return;
      clearTimeout(timer);
      resolve({
        child,
        control: /^control (http:\/\/\S+)/m.exec(out)?.[1],
        output: () => out,
        async kill() {
          child.kill('SIGKILL');
          await exited;
        },
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const late = setTimeout(() => child.kill('SIGKILL'), 20_000); // a stuck shutdown must not hang the suite
          await exited;
          clearTimeout(late);
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`agent exited with ${code}:\n${out}`), { exitCode: code, output: out }));
    });
  });
}

/** One `npx getsms …` command line to its end: exit status and everything it printed. */
export function getsms(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/getsms.js', ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}
