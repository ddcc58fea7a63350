import { Agent, request } from 'node:http';
import { serviceCode, servicesOf, type Dialect, type ServiceDef } from '../../actors/index.ts';
import { deliverPdus } from '../../modems/simulator/at/encode.ts';
import type { ServerReady } from '../server.ts';
import type { Sample } from './figures.ts';
import type { Simulator } from './simulator.ts';
import { nthSms } from './sms-mix.ts';
import { byteMs, wireBytes } from './wire-floor.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Closes the keep-alive sockets the getStatus poll used. */
export function closeHttp(): void {
  agent.destroy();
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Pair { key: string; code: string; service: ServiceDef }

/** Every (account, service code) the two dialects can order, for services a GSM-7 sender names and whose code is "any 4–8 digits". */
function orderable(gw: ServerReady): Pair[] {
  const pairs: Pair[] = [];
  const seen = new Set<string>();
  for (const dialect of ['getsms', 'smsActivate'] as Dialect[]) {
    const account = gw.accounts.find((a) => a.dialect === dialect);
    if (!account) continue;
    for (const s of servicesOf(dialect)) {
      if (seen.has(s.id) || !s.rule.match || s.rule.code) continue;
      if (!/^[A-Za-z0-9 .-]{1,11}$/.test(s.sample.from) || !new RegExp(s.rule.match, 'i').test(s.sample.from)) continue;
      seen.add(s.id);
      pairs.push({ key: account.key, code: serviceCode(dialect, s)!, service: s });
    }
  }
  return pairs;
}

/** Waits until getNumbersStatus counts both of getsms's SIMs online for the first service. */
async function bothSimsOnline(api: (q: string) => Promise<string>, first: Pair): Promise<void> {
  const until = Date.now() + 90_000;
  for (;;) {
    const counts = JSON.parse(await api(`api_key=${first.key}&action=getNumbersStatus&country=any`)) as Record<string, number>;
    if ((counts[`${first.code}_0`] ?? 0) >= 2) return;
    if (Date.now() > until) throw new Error(`getsms: SIMs not online after 90 s (${JSON.stringify(counts).slice(0, 200)})`);
    await sleep(200);
  }
}

/** A keep-alive getStatus poll every ~1 ms; resolves with the moment it first read STATUS_OK. */
async function firstStatusOk(statusUrl: string, id: string, stopped: () => boolean): Promise<number> {
  const deadline = performance.now() + 30_000;
  while (!stopped() && performance.now() < deadline) {
    const sent = performance.now();
    const answer = await get(statusUrl);
    if (answer.startsWith('STATUS_OK')) return performance.now();
    const wait = sent + 1 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  throw new Error(`getsms: no STATUS_OK for activation ${id} in 30 s`);
}

/**
 * `count` SMS through getsms (plus one warm-up): getNumber → POST /sms to that SIM → getStatus until STATUS_OK →
 * setStatus 6. Each sample carries the wire floor of getsms's own exchange for that SMS and its SIM's phone.
 * With `alternate` (phones), the nth SMS goes to alternate[n % length]: an order that lands on another SIM is
 * kept for that SIM's next turn (bench/agent-ingest.ts: a local and an agent's SIM in turn).
 */
export async function getsmsRound(gw: ServerReady, sim: Simulator, count: number, alternate?: string[]): Promise<Sample[]> {
  const api = (q: string) => get(`${gw.url}/stubs/handler_api.php?${q}`);
  const pairs = orderable(gw);
  await bothSimsOnline(api, pairs[0]!);
  const out: Sample[] = [];
  let i = 0;
  const warmUp = alternate?.length ?? 1; // the first (with `alternate`, the first on each SIM) is a warm-up
  const want = count + warmUp;
  // Each (SIM, service) is sold once after a code arrives, so each order takes the next pair; two SIMs each take all.
  const queue = [...pairs, ...pairs, ...pairs];
  const spare = new Map<string, { pair: Pair; id: string; phone: string }[]>(); // orders kept for their SIM's turn
  while (out.length < want) {
    const wanted = alternate?.[out.length % alternate.length];
    let order = wanted === undefined ? undefined : spare.get(wanted)?.shift();
    if (!order) {
      const pair = queue.shift();
      if (!pair) throw new Error(`getsms: ran out of (SIM, service) pairs after ${out.length} SMS; lower BENCH_SMS`);
      const got = await api(`api_key=${pair.key}&action=getNumber&service=${pair.code}&country=any`);
      const m = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(got);
      if (!m) continue; // NO_NUMBERS: both SIMs already used for this service
      if (wanted !== undefined && m[2] !== wanted) {
        spare.set(m[2]!, [...(spare.get(m[2]!) ?? []), { pair, id: m[1]!, phone: m[2]! }]);
        continue;
      }
      order = { pair, id: m[1]!, phone: m[2]! };
    }
    const { pair, id, phone } = order;
    const { kind, text } = nthSms(i++, pair.service.sample.from);
    const statusUrl = `${gw.url}/stubs/handler_api.php?api_key=${pair.key}&action=getStatus&id=${id}`;
    let stop = false;
    const poll = firstStatusOk(statusUrl, id!, () => stop);
    await sleep(5); // the poll loop is running before the SMS exists
    const delivered = await sim.call<{ stored: number[]; parts: number }>('POST', '/sms', { to: phone, from: pair.service.sample.from, text });
    const t0 = performance.now();
    let t1: number;
    try {
      t1 = await poll;
    } finally {
      stop = true;
    }
    if (delivered.parts !== 1 || delivered.stored.length !== 1) throw new Error(`expected one stored part: ${JSON.stringify(delivered)}`);
    const pdu = deliverPdus({ from: pair.service.sample.from, text, timestamp: new Date() })[0]!;
    const bytes = wireBytes(pdu, delivered.stored[0]!);
    out.push({ kind, ms: t1 - t0, bytes, floorMs: bytes * byteMs, phone });
    const done = await api(`api_key=${pair.key}&action=setStatus&status=6&id=${id}`);
    if (!/^ACCESS_ACTIVATION|^ACCESS_/.test(done)) throw new Error(`setStatus 6: ${done}`);
    // The modem's copy goes after the store; wait for an empty SIM so the next SMS lands at index 1 again.
    const end = Date.now() + 10_000;
    while ((await sim.call<unknown[]>('GET', `/sims/${phone}/storage`)).length > 0) {
      if (Date.now() > end) throw new Error(`SIM ${phone} storage not emptied`);
      await sleep(2);
    }
  }
  return out.slice(warmUp);
}
