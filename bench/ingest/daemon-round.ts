import { readdirSync } from 'node:fs';
import type { Sample } from './figures.ts';
import type { Reader } from './daemons.ts';
import type { Simulator } from './simulator.ts';
import { nthSms } from './sms-mix.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `count` SMS (plus one warm-up) to a daemon's SIM: POST /sms → its inbox file appears (readdir every 5 ms).
 * Before each SMS a random pause of up to `jitterMs` (the daemon's poll period) samples every phase of its
 * polling; after each, the SIM is emptied before the next.
 */
export async function daemonRound(
  name: string, sim: Simulator, phone: string, reader: Reader, count: number, log: string[], jitterMs: number,
): Promise<Sample[]> {
  const { proc, inbox } = reader;
  const files = () => readdirSync(inbox).length;
  const storage = () => sim.call<unknown[]>('GET', `/sims/${phone}/storage`);
  const out: Sample[] = [];
  for (let i = 0; i <= count; i++) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${name} exited:\n${log.join('').slice(-2_000)}`);
    const { kind, text } = nthSms(i, 'Telegram');
    const before = files();
    if (i > 0) await sleep(Math.random() * jitterMs); // sample every phase of the daemon's poll
    await sim.call('POST', '/sms', { to: phone, from: 'Telegram', text });
    const t0 = performance.now();
    const deadline = t0 + (i === 0 ? 120_000 : 60_000); // the first waits for the daemon's start-up
    while (files() === before) {
      if (performance.now() > deadline) throw new Error(`${name}: no inbox file after ${Math.round(performance.now() - t0)} ms:\n${log.join('').slice(-2_000)}`);
      await sleep(5);
    }
    const t1 = performance.now();
    if (i > 0) out.push({ kind, ms: t1 - t0 }); // the first is a warm-up (the daemon may still be starting)
    const end = Date.now() + 30_000;
    while ((await storage()).length > 0) {
      if (Date.now() > end) throw new Error(`${name}: SIM storage not emptied`);
      await sleep(20);
    }
  }
  return out;
}
