import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, stopAll } from './child.ts';
import { bareRound } from './ingest/bare-reader.ts';
import { daemonRound } from './ingest/daemon-round.ts';
import { gammuSmsd, smsd, smsdDefaultDelaytime, type Reader } from './ingest/daemons.ts';
import type { Sample } from './ingest/figures.ts';
import { closeHttp, getsmsRound } from './ingest/getsms-round.ts';
import { stopDaemon, stopDaemons } from './ingest/processes.ts';
import { report } from './ingest/report.ts';
import { startSimulator, type Simulator } from './ingest/simulator.ts';
import { baud, byteMs } from './ingest/wire-floor.ts';
import type { ServerReady } from './server.ts';
import { envNumber, runBench } from './settings.ts';

/**
 * `npm run bench:ingest`: SMS ingest latency over real serial I/O (issue 3).
 *
 * The AT simulator runs in its own process at 115200 baud (paced 8N1, 86.8 µs a byte) with 6 channels × 1 slot:
 * channels 1–2 are getsms's (MODEM_PORTS), 3 gammu-smsd's, 4 and 6 smsd's (at its defaults, then with
 * delaytime=1), 5 a bare in-process reader's (the same +CMTI → CMGL=4 → CMGD exchange with nothing behind it:
 * what the simulator, PTY and serialport cost beyond the wire), so no two readers share a port.
 * For each SMS (alternating short GSM-7, full 160-char GSM-7, 70-char UCS2 Cyrillic):
 *  - getsms: getNumber → POST /sms to that SIM → a keep-alive getStatus poll every ~1 ms until STATUS_OK → setStatus 6.
 *  - gammu-smsd (files backend) at its fastest polling, ReceiveFrequency=1 (default 15), and smsd at its shipped
 *    defaults (delaytime=10), then smsd with only delaytime=1 changed: POST /sms → the inbox file appears (readdir
 *    every 5 ms). The daemons get a random pause of up to their poll period (1 s; smsd: its delaytime) before each
 *    SMS so their polling is sampled at every phase.
 * T0 is the moment POST /sms returns: the control API answers when the PDU is stored on the SIM and the `+CMTI` is
 * queued on the paced wire (it starts crossing within ~1 ms: the URC is written on the next timer tick).
 * Beside getsms's figures: the wire floor of that SMS's bytes at 115200 8N1 for getsms's own exchange
 * (+CMTI URC, AT+CMGL=4 and its answer with the PDU, AT+CMGD=i and OK; echo is off after ATE0).
 *
 * BENCH_SMS (50) samples for getsms and gammu-smsd, BENCH_SMSD_SMS (15) for each smsd run, BENCH_SMSD_DELAYTIME (1)
 * for the second smsd run, BENCH_SKIP=gammu,smsd,smsd-fast leaves daemons out, BENCH_JSON=1 prints a final JSON line.
 */
const samples = envNumber('BENCH_SMS', 50);
const smsdSamples = envNumber('BENCH_SMSD_SMS', 15);
const smsdFastDelaytime = envNumber('BENCH_SMSD_DELAYTIME', 1);
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const wantJson = process.env.BENCH_JSON === '1';

const work = mkdtempSync(join(tmpdir(), 'getsms-bench-ingest-'));
const say = (line = '') => console.log(line);

let cleaning: Promise<void> | undefined;
const cleanUp = () => (cleaning ??= (async () => {
  closeHttp();
  await stopAll();
  await stopDaemons();
  rmSync(work, { recursive: true, force: true });
})());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping the children`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** One daemon on simulator channel `channel` (0-based) for `count` SMS, stopped afterwards; left out when `skipName` is skipped. */
async function daemonRun(
  sim: Simulator, phoneOf: (c: number) => string, name: string, skipName: string, channel: number, count: number,
  jitterMs: number, start: (dir: string, device: string, log: string[]) => Reader,
): Promise<Sample[]> {
  if (skip.has(skipName)) return [];
  const log: string[] = [];
  const dir = join(work, `${skipName}-${channel}`);
  mkdirSync(dir);
  const reader = start(dir, sim.ports[channel]!, log);
  const t = Date.now();
  const out = await daemonRound(name, sim, phoneOf(channel), reader, count, log, jitterMs);
  say(`  ${name}: ${out.length} SMS in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await stopDaemon(reader.proc);
  return out;
}

async function main() {
  say(`getsms SMS ingest bench — ${availableParallelism()} core(s) (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), node ${process.version}`);
  say(`  AT simulator at ${baud} baud 8N1 (paced, ${(byteMs * 1000).toFixed(1)} µs/byte), 6 channels × 1 slot: 2 for getsms,`);
  say(`  1 for gammu-smsd, 2 for smsd (defaults; delaytime=${smsdFastDelaytime}), 1 for a bare reader (the exchange alone, nothing behind it);`);
  say('  T0 = POST /sms returned (SMS on the SIM, +CMTI queued on the wire)');
  say();
  const sim = await startSimulator(work, 6, baud);
  const channels = await sim.call<{ path: string; slots: { sim: { phone: string } | null }[] }[]>('GET', '/channels');
  const phoneOf = (c: number) => channels[c]!.slots[0]!.sim!.phone;
  const gw = await startChild<ServerReady>('getsms', new URL('./server.ts', import.meta.url), {
    DATA_DIR: join(work, 'data'), MODEM_PORTS: sim.ports.slice(0, 2).join(','), BENCH_ACCOUNTS: '2',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  say(`getsms ${gw.ready.url} (pid ${gw.pid}) on ${sim.ports.slice(0, 2).join(', ')}`);

  const t = Date.now();
  const getsms = await getsmsRound(gw.ready, sim, samples);
  say(`  getsms: ${getsms.length} SMS in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await gw.stop();

  const bare = await bareRound(sim, sim.ports[4]!, phoneOf(4), samples);
  const smsdCount = Math.min(samples, smsdSamples);
  const gammu = await daemonRun(sim, phoneOf, 'gammu-smsd', 'gammu', 2, samples, 1_000, gammuSmsd);
  const smsdDefaults = await daemonRun(sim, phoneOf, 'smsd (defaults)', 'smsd', 3, smsdCount, smsdDefaultDelaytime * 1_000,
    (dir, device, log) => smsd(dir, device, log));
  const smsdFast = await daemonRun(sim, phoneOf, `smsd (delaytime=${smsdFastDelaytime})`, 'smsd-fast', 5, smsdCount,
    smsdFastDelaytime * 1_000, (dir, device, log) => smsd(dir, device, log, smsdFastDelaytime));
  say();

  report({
    getsms, bare, gammu, smsd: smsdDefaults, smsdFast, smsdDefaultDelaytime, smsdFastDelaytime,
  }, say, wantJson);
  return true;
}

await runBench(main, cleanUp);
