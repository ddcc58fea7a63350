import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Keys printed on first start (absent after a restart on the same data). */
  adminKey: string | undefined;
  demoKey: string | undefined;
  output(): string;
  /** SIGKILL: no shutdown code runs, exactly as a power cut. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** `npm start`'s entry point as a child process; resolves once it prints its URL. */
export function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolve, reject) => {
    // Generous: by default the simulated modems read every slot over PTYs before "Ready." (60 s at most).
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 120_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (!url || !/^Ready\./m.test(out)) return;
      clearTimeout(timer);
      resolve({
        child, url,
        adminKey: /admin\s+\S+\s+api_key=(\w+)/.exec(out)?.[1],
        demoKey: /demo\s+\S+\s+api_key=(\w+)/.exec(out)?.[1],
        output: () => out,
        async kill() {
          child.kill('SIGKILL');
          await exited;
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}
