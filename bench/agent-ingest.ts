import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild, stopAll } from './child.ts';
import { f1, figures, row, type Figures, type Sample } from './ingest/figures.ts';
import { closeHttp, getsmsRound } from './ingest/getsms-round.ts';
import { daemon, stopDaemons } from './ingest/processes.ts';
import { startSimulator } from './ingest/simulator.ts';
import { kinds } from './ingest/sms-mix.ts';
import { baud, byteMs } from './ingest/wire-floor.ts';
import type { ServerReady } from './server.ts';
import { envNumber, runBench } from './settings.ts';

/**
 * `npm run bench:agent`: SMS ingest latency through a remote modem host (agent) beside a local channel, in one run
 * (issue "Remote modem hosts").
 *
 * One AT simulator process at 115200 baud (paced 8N1) with 2 channels × 1 slot. getsms (bench/server.ts, its own
 * process) reads channel 1 itself through MODEM_PORTS; channel 2 is read by `getsms agent --server <url> --token <t>
 * <port>` (bin/getsms.js, a third process) connected to it over 127.0.0.1 (socket.io at /agents), with a token made
 * by `getsms agent token create` in getsms's database. The same SMS mix as bench:ingest (short GSM-7, 160-char
 * GSM-7, 70-char UCS2 Cyrillic) goes to the two SIMs in turn, so both paths see the same kinds at the same time:
 * getNumber → POST /sms to that SIM → a keep-alive getStatus poll every ~1 ms until STATUS_OK → setStatus 6
 * (bench/ingest/getsms-round.ts). T0 = POST /sms returned, T1 = getStatus said STATUS_OK. The first SMS on each
 * SIM is a warm-up.
 *
 * Printed: p50/p90/p99/max for each path, each kind, each path minus its wire floor, the agent's overhead (the agent
 * path's percentile minus the local one's) and the wire floor of the serial exchange per kind.
 * BENCH_SMS (76) samples in all, half on each path (at most 78: each (SIM, service) is sold once after its code,
 * and the services a GSM-7 sender names give 40 per SIM); BENCH_JSON=1 prints a final JSON line.
 */
const samples = envNumber('BENCH_SMS', 76);
const wantJson = process.env.BENCH_JSON === '1';
const root = fileURLToPath(new URL('../', import.meta.url));
const agentName = 'bench';

const work = mkdtempSync(join(tmpdir(), 'getsms-bench-agent-'));
const say = (line = '') => console.log(line);

let cleaning: Promise<void> | undefined;
const cleanUp = () => (cleaning ??= (async () => {
  closeHttp();
  await stopAll(); // getsms first, while its port and the agent are still there
  await stopDaemons();
  rmSync(work, { recursive: true, force: true });
})());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping the children`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** `npx getsms agent token create <name>` against getsms's database: the token it printed once. */
function createToken(dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['bin/getsms.js', 'agent', 'token', 'create', agentName], {
      cwd: root, env: { ...process.env, DATA_DIR: dataDir }, timeout: 120_000,
    }, (err, stdout, stderr) => {
      const token = /token ([0-9a-f]{64})/.exec(stdout)?.[1];
      if (err || !token) reject(new Error(`agent token create failed: ${err?.message ?? ''}\n${stdout}${stderr}`));
      else resolve(token);
    });
  });
}

/** `getsms agent --server <url> --token <t> --data <dir> <port>` in its own process group; resolves once it serves its channel. */
function startAgent(server: string, token: string, port: string): Promise<{ pid: number }> {
  const log: string[] = [];
  const proc = daemon(process.execPath, [
    'bin/getsms.js', 'agent', '--server', server, '--token', token, '--data', join(work, 'agent-data'), port,
  ], log);
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`agent did not start:\n${log.join('')}`)), 120_000);
    const onData = (c: Buffer) => {
      seen += c.toString();
      if (!/^agent: \d+ channel/m.test(seen)) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      proc.stderr!.off('data', onData);
      resolve({ pid: proc.pid! });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited with ${code}:\n${log.join('')}`));
    });
  });
}

/** Each percentile of `b` minus the same one of `a`. */
function minus(b: Figures | undefined, a: Figures | undefined) {
  if (!a || !b) return undefined;
  const r = (n: number) => Math.round(n * 100) / 100;
  return { p50: r(b.p50 - a.p50), p90: r(b.p90 - a.p90), p99: r(b.p99 - a.p99), max: r(b.max - a.max) };
}
const signed = (n: number) => `${n >= 0 ? '+' : '−'}${f1(Math.abs(n))}`;

async function main() {
  say(`getsms agent ingest bench — ${availableParallelism()} core(s) (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), node ${process.version}`);
  say(`  AT simulator at ${baud} baud 8N1 (paced, ${(byteMs * 1000).toFixed(1)} µs/byte), 2 channels × 1 slot:`);
  say('  channel 1 read by getsms (MODEM_PORTS), channel 2 by an agent process over socket.io on 127.0.0.1;');
  say('  the same SMS mix to the two SIMs in turn; T0 = POST /sms returned, T1 = getStatus STATUS_OK');
  say();
  const sim = await startSimulator(work, 2, baud);
  const channels = await sim.call<{ slots: { sim: { phone: string } | null }[] }[]>('GET', '/channels');
  const [localPhone, agentPhone] = [0, 1].map((c) => channels[c]!.slots[0]!.sim!.phone) as [string, string];
  const dataDir = join(work, 'data');
  const gw = await startChild<ServerReady>('getsms', new URL('./server.ts', import.meta.url), {
    DATA_DIR: dataDir, MODEM_PORTS: sim.ports[0]!, BENCH_ACCOUNTS: '2', BENCH_OPERATOR: '1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  say(`getsms ${gw.ready.url} (pid ${gw.pid}) on ${sim.ports[0]} (SIM ${localPhone})`);
  const token = await createToken(dataDir);
  const agent = await startAgent(gw.ready.url, token, sim.ports[1]!);
  say(`agent ${agentName} (pid ${agent.pid}) on ${sim.ports[1]} (SIM ${agentPhone}) → ${gw.ready.url}`);

  const t = Date.now();
  const all = await getsmsRound(gw.ready, sim, samples, [localPhone, agentPhone]);
  say(`  ${all.length} SMS in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  // The SIMs really are on the two paths: the agent's channel has the agent as its host.
  const res = await fetch(`${gw.ready.url}/api/channels`, { headers: { authorization: `Bearer ${gw.ready.operatorKey}` } });
  const views = ((await res.json()) as { channels: { channel: string; host: string | null; sim: { phone: string } | null }[] }).channels;
  const hostOf = (phone: string) => views.find((v) => v.sim?.phone === phone);
  const [lv, av] = [hostOf(localPhone), hostOf(agentPhone)];
  if (lv?.host !== null || av?.host !== agentName) throw new Error(`unexpected channels: ${JSON.stringify(views)}`);
  say(`  channels: ${lv.channel} (host: this server), ${av.channel} (host: ${av.host})`);
  say();

  const local = all.filter((s) => s.phone === localPhone);
  const remote = all.filter((s) => s.phone === agentPhone);
  const ms = (xs: Sample[]) => figures(xs.map((s) => s.ms));
  const over = (xs: Sample[]) => figures(xs.map((s) => s.ms - s.floorMs!));
  const [l, a] = [ms(local), ms(remote)];
  const overhead = minus(a, l);
  say('SMS ingest latency, T0 (POST /sms returned) → T1 (getStatus STATUS_OK)');
  for (const [name, xs] of [['local channel (MODEM_PORTS)', local], ['agent channel (socket.io)', remote]] as const) {
    say(row(name, ms(xs)));
    for (const k of kinds) say(row(`  ${k}`, ms(xs.filter((s) => s.kind === k))));
    say(row('  minus its wire floor', over(xs)));
  }
  if (overhead) {
    say(`  ${'agent minus local'.padEnd(34)}        p50 ${signed(overhead.p50).padStart(9)}  p90 ${signed(overhead.p90).padStart(9)}  ` +
      `p99 ${signed(overhead.p99).padStart(9)}  max ${signed(overhead.max).padStart(9)}`);
  }
  say();
  say('Wire floor of the serial exchange at 115200 8N1 (+CMTI, AT+CMGL=4 + answer with the PDU, AT+CMGD + OK), both paths:');
  for (const k of kinds) {
    const b = figures(all.filter((x) => x.kind === k).map((x) => x.bytes!));
    if (b) say(`  ${k.padEnd(12)} ${b.min}–${b.max} bytes = ${(b.min * byteMs).toFixed(1)}–${(b.max * byteMs).toFixed(1)} ms`);
  }

  if (wantJson) {
    say(JSON.stringify({
      baud, t0: 'POST /sms returned', t1: 'getStatus STATUS_OK', samples: { local: local.length, agent: remote.length },
      local: l, agent: a, agentMinusLocal: overhead,
      localOverFloor: over(local), agentOverFloor: over(remote),
      byKind: Object.fromEntries(kinds.map((k) => [k, {
        local: ms(local.filter((s) => s.kind === k)), agent: ms(remote.filter((s) => s.kind === k)),
        wireFloorMs: figures(all.filter((s) => s.kind === k).map((s) => s.floorMs!)),
      }])),
    }));
  }
  return local.length > 0 && remote.length > 0;
}

await runBench(main, cleanUp);
