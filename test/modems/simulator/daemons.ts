import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';

/**
 * Debian's trusted SMS daemons as test peers (modem-notes §4): gammu-smsd and
 * smstools' smsd, each with its config and spool in a temp dir, pointed at a
 * simulated modem's PTY, always stopped when the test ends.
 */

/** Fails the test with an install hint when a daemon is not on PATH (CI installs both: .ci/run). */
export function requireCommand(t: ExecutionContext, command: string, probe: string[], pkg: string): boolean {
  const r = spawnSync(command, probe, { stdio: 'ignore' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT') return true;
  t.fail(`${command} is not installed; install Debian's ${pkg} (apt-get install ${pkg}; .ci/run does)`);
  return false;
}

function run(t: ExecutionContext, command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
    if (!t.passed) t.log(`${command} output:\n${output.slice(-4_000)}`);
  });
  return child;
}

/** Retries `probe` every 50 ms until it returns a value, or throws after `timeoutMs` with the last one seen. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const got = await probe();
      if (got !== undefined) return got;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`${what}: nothing after ${timeoutMs} ms (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** gammu-smsd with the files backend at its fastest polling (modem-notes §4 key settings). */
export async function gammuSmsd(t: ExecutionContext, dir: string, device: string) {
  const spool = Object.fromEntries(['inbox', 'outbox', 'sent', 'error'].map((d) => [d, join(dir, d) + '/']));
  await Promise.all(Object.values(spool).map((d) => mkdir(d, { recursive: true })));
  const config = join(dir, 'smsdrc');
  await writeFile(config, [
    '[gammu]', `device = ${device}`, 'connection = at',
    '[smsd]', 'service = files', `inboxpath = ${spool.inbox}`, `outboxpath = ${spool.outbox}`,
    `sentsmspath = ${spool.sent}`, `errorsmspath = ${spool.error}`, 'inboxformat = unicode',
    'receivefrequency = 1', 'loopsleep = 1', 'statusfrequency = 0', 'checkbattery = 0',
    `logfile = ${join(dir, 'gammu-smsd.log')}`, 'debuglevel = 1', '',
  ].join('\n'));
  run(t, 'gammu-smsd', ['-c', config]);
  return { inbox: spool.inbox!, log: join(dir, 'gammu-smsd.log') };
}

/**
 * gammu-smsd's inbox as texts: files `IN<date>_<time>_<serial>_<sender>_<part>.txt`
 * in "unicode" format (UTF-16 big-endian with a BOM), parts joined in order.
 * Gammu pads a UCS2 text with NULs (modem-notes §4 "the gammu NUL tail"); they go.
 */
export async function gammuInbox(inbox: string): Promise<{ from: string; text: string }[]> {
  const groups = new Map<string, { from: string; parts: string[] }>();
  for (const file of (await readdir(inbox)).sort()) {
    const m = /^(IN.+_(.+))_(\d+)\.txt$/.exec(file);
    if (!m) continue;
    const raw = await readFile(join(inbox, file));
    const text = Buffer.from(raw).swap16().toString('utf16le').replace(/^\uFEFF/, '').replace(/\0+$/, '');
    const g = groups.get(m[1]!) ?? { from: m[2]!, parts: [] };
    g.parts.push(text);
    groups.set(m[1]!, g);
  }
  return [...groups.values()].map((g) => ({ from: g.from, text: g.parts.join('') }));
}

/** smstools' smsd in the foreground, polling every second (modem-notes §4 key settings). */
export async function smsd(t: ExecutionContext, dir: string, device: string) {
  const spool = Object.fromEntries(['incoming', 'outgoing', 'checked', 'failed', 'sent'].map((d) => [d, join(dir, d)]));
  await Promise.all(Object.values(spool).map((d) => mkdir(d, { recursive: true })));
  const config = join(dir, 'smsd.conf');
  await writeFile(config, [
    'devices = GSM1', ...Object.entries(spool).map(([k, v]) => `${k} = ${v}`),
    `logfile = ${join(dir, 'smsd.log')}`, `infofile = ${join(dir, 'smsd.working')}`, `pidfile = ${join(dir, 'smsd.pid')}`,
    'loglevel = 7', 'delaytime = 1', 'decode_unicode_text = yes', 'incoming_utf8 = yes', '',
    '[GSM1]', `device = ${device}`, 'incoming = yes', 'pin = ignore', 'memory_start = 1', 'baudrate = 115200', '',
  ].join('\n'));
  run(t, 'smsd', ['-t', '-c', config]);
  return { incoming: spool.incoming!, log: join(dir, 'smsd.log') };
}

/** smsd's incoming files as {from, text}: a header block, a blank line, the UTF-8 text (multipart joined by smsd). */
export async function smsdIncoming(incoming: string): Promise<{ from: string; text: string }[]> {
  const out: { from: string; text: string }[] = [];
  for (const file of (await readdir(incoming)).sort()) {
    const content = await readFile(join(incoming, file), 'utf8');
    const split = content.indexOf('\n\n');
    out.push({ from: /^From: (.*)$/m.exec(content)?.[1] ?? '', text: content.slice(split + 2) });
  }
  return out;
}
