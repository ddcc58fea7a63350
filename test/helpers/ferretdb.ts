import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Where `.ci/run` builds FerretDB; FERRETDB_BIN names another binary of the 1.x line. */
export const ferretdbBin = process.env.FERRETDB_BIN || join(root, '.tools/bin/ferretdb');

export interface FerretDb {
  /** A connection string for `database` (each test takes a fresh name from `freshDatabase`). */
  uri(database: string): string;
  /** What FerretDB logged, for a failure message. */
  output(): string;
  /** SIGTERM, wait for the exit, and remove its files. */
  stop(): Promise<void>;
}

let databases = 0;

/** A database name no other test of this process uses (FerretDB allows [A-Za-z0-9_-], at most 63). */
export function freshDatabase(): string {
  return `t${process.pid}_${++databases}`;
}

/**
 * FerretDB 1.x with its SQLite backend in a temp directory, listening on a
 * free loopback port. Resolves once the port accepts connections.
 */
export async function startFerretDb(): Promise<FerretDb> {
  if (!existsSync(ferretdbBin)) {
    throw new Error(`FerretDB is not built at ${ferretdbBin}: run .ci/run (it builds v1.24.2 with the Go toolchain), or set FERRETDB_BIN`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'getsms-ferretdb-'));
  mkdirSync(join(dir, 'data'));
  const child = spawn(ferretdbBin, [
    '--handler=sqlite',
    `--sqlite-url=file:${join(dir, 'data')}/`,
    '--listen-addr=127.0.0.1:0', // the kernel picks the port; FerretDB logs which
    `--state-dir=${dir}`,
    '--telemetry=disable',
    '--debug-addr=-', // no metrics listener on 8088, which parallel test files would fight over
    '--log-level=INFO', // the line naming the port is INFO
    '--log-format=json',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const orphan = () => child.kill('SIGKILL'); // the test process ends without stop() (a timeout, a crash)
  process.once('exit', orphan);
  const stop = async () => {
    process.off('exit', orphan);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`FerretDB did not start listening:\n${out}`)), 30_000);
      let listening = false;
      const onData = (chunk: Buffer) => {
        out = (out + chunk.toString()).slice(-65_536); // every connection is logged: keep the tail
        if (listening) return;
        // {"level":"INFO","msg":"Listening on TCP 127.0.0.1:40123...",…}
        const m = /Listening on TCP 127\.0\.0\.1:(\d+)/.exec(out);
        if (!m) return;
        listening = true;
        clearTimeout(timer);
        resolve(Number(m[1]));
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`FerretDB exited with ${code}:\n${out}`));
      });
    });
    await accepts(port);
    return { uri: (database) => `mongodb://127.0.0.1:${port}/${database}`, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resolves when a TCP connection to the port succeeds, retrying for a few seconds. */
async function accepts(port: number): Promise<void> {
  const end = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`FerretDB does not accept connections on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
