import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase, startFerretDb } from '../helpers/ferretdb.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { until } from '../helpers/until.ts';
import { services as catalogue } from '../../actors/index.ts';
import { mongoRecords, sqliteRecords, type Picture, type Records } from './records.ts';

/**
 * Mixed load against a real server process, SIGKILLed at random moments and
 * restarted on the same data (a DATA_DIR, or a MongoDB database), checking after
 * every restart (the database read by the test, and the API) that nothing was lost, duplicated, charged or
 * refunded twice. `FAULT_RUNS` sets the number of kills (5 on SQLite and 3 on
 * MongoDB through FerretDB in `npm test`; `FAULT_STORE=sqlite|mongo` runs one),
 * `FAULT_SEED` replays a run. Kills are placed by counts of answered requests,
 * never by wall-clock time; waits are bounded polls.
 */
const runsOf = { sqlite: Number(process.env.FAULT_RUNS ?? 5), mongo: Number(process.env.FAULT_RUNS ?? 3) };
const stores = (process.env.FAULT_STORE ?? 'sqlite,mongo').split(',');
const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const ttlSeconds = 6;
const poolWindowSeconds = 5;
const graceMs = 60_000; // how long a deadline may take to fire after it passed (restart included) on a loaded machine

function prng(s: number) {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const store of ['sqlite', 'mongo'] as const) {
  const title = `SIGKILLed at random moments under mixed load, the server loses, doubles and double-charges nothing (${store === 'sqlite' ? 'SQLite' : 'MongoDB through FerretDB'})`;
  (stores.includes(store) ? test.serial : test.skip)(title, (t) => killLoop(t, store, runsOf[store]));
}

async function killLoop(t: ExecutionContext, store: 'sqlite' | 'mongo', runs: number) {
  t.timeout(Math.max(120_000, runs * 60_000) + (store === 'mongo' ? 120_000 : 0)); // MongoDB: the end waits for the reconciler
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const dataDir = mkdtempSync(join(tmpdir(), 'getsms-faults-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    DATA_DIR: dataDir, SIMULATOR: 'memory', SIM_MODEMS: '32', SIM_SLOTS: '4', RATE_LIMIT_RPS: '0',
    ACTIVATION_TTL_SECONDS: String(ttlSeconds), NO_NUMBERS_CACHE_SECONDS: String(poolWindowSeconds), RENT_HOUR_MS: '250',
  };
  if (store === 'mongo') {
    const ferret = await startFerretDb();
    t.teardown(() => ferret.stop());
    env.MONGODB_URI = ferret.uri(freshDatabase());
  }
  let server: ServerProcess = await startServerProcess(env);
  t.teardown(() => server.stop());
  const records: Records = store === 'mongo' ? await mongoRecords(env.MONGODB_URI!) : sqliteRecords(dataDir);
  t.teardown(() => records.close());
  const adminKey = server.adminKey!;
  const key = server.demoKey!;

  const anomalies: string[] = [];
  const anomaly = (s: string) => { anomalies.push(s); t.log(`ANOMALY: ${s}`); };
  const counts = { runs: 0, kills: 0, orders: 0, ordersApi2: 0, statusChanges: 0, sms: 0, topups: 0, rents: 0, pooled: 0, poolFilled: 0, requests: 0, lostInFlight: 0 };

  const api = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${server.url}${path}`, init);
    const body = await res.text();
    if (res.status >= 500) anomaly(`${init.method ?? 'GET'} ${path.split('?')[0]} answered ${res.status}: ${body.slice(0, 200)}`);
    counts.requests++;
    return { status: res.status, body };
  };
  const admin = (method: string, path: string, body: unknown) => api(path, {
    method, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const handler = (params: Record<string, string>) =>
    api(`/stubs/handler_api.php?${new URLSearchParams({ api_key: key, ...params })}`).then((r) => r.body);

  const me = JSON.parse((await api('/api/me', { headers: { authorization: `Bearer ${key}` } })).body) as { id: number };
  t.is((await admin('PUT', '/api/admin/rent-prices', { country: 'ru', price: '3' })).status, 200);

  // What clients were told.
  const received = new Map<number, string | undefined>(); // activation id → phone (undefined for API #2 until read)
  const live: { id: number; phone: string; service: string }[] = [];
  const pooled: { tzid: number; at: number }[] = []; // API #2 orders that waited in the pool, and when getNum answered
  const filledPool = new Set<number>(); // those a poll saw get their number
  const smsAccepted = new Set<string>(); // texts whose POST answered 202
  const topupsAcked = new Set<string>();
  const topupsUnknown = new Set<string>();
  let smsSeq = 0;
  let topupSeq = 0;

  // Many services, so that numbers spent by codes last through a long run.
  const services = catalogue
    .filter((c) => (c.getsms?.length ?? 0) > 0 && (c.smsReg?.length ?? 0) > 0 && c.id !== 'other' && !c.sample.text.includes('{code3'))
    .map((c) => ({ code: c.getsms![0]!, reg: c.smsReg![0]!, from: c.sample.from, text: (code: string) => c.sample.text.replaceAll('{code}', code) }));

  const operations: (() => Promise<void>)[] = [
    async () => { // getNumber through API #1
      const s = pick(services);
      const a = await handler({ action: 'getNumber', service: s.code, country: 'ru' });
      const m = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(a);
      if (!m) return;
      const id = Number(m[1]);
      if (received.has(id)) anomaly(`activation ${id} handed out twice`);
      received.set(id, m[2]!); counts.orders++;
      live.push({ id, phone: m[2]!, service: s.code });
    },
    async () => { // getNum through API #2
      const s = pick(services);
      // Now and then Belarus, of which the farm has a few SIMs, or Aiva, of which it has none: such orders
      // wait in the pool (5 s) across kills.
      const country = pick(['ru', 'ru', 'ru', 'by', 'ru_aiva']);
      const r = await api(`/getNum.php?${new URLSearchParams({ apikey: key, service: s.reg, country })}`);
      const j = JSON.parse(r.body) as { response: string; tzid?: string };
      if (j.response !== '1' || !j.tzid) return;
      const id = Number(j.tzid);
      // A tzid from 2,000,000,000 up is an order waiting in the pool (TZ_INPOOL): kept in the store, it outlives a kill.
      if (id >= 2_000_000_000) { counts.pooled++; pooled.push({ tzid: id, at: Date.now() }); return; }
      if (received.has(id)) anomaly(`tzid ${id} handed out twice`);
      received.set(id, undefined); counts.orders++; counts.ordersApi2++;
      const st = JSON.parse((await api(`/getState.php?apikey=${key}&tzid=${id}`)).body) as { number?: string };
      if (st.number) { received.set(id, st.number); live.push({ id, phone: st.number, service: s.code }); }
    },
    async () => { // a poll of an order waiting in the pool: the try it makes may be what the kill cuts
      const p = pooled.length ? pick(pooled) : undefined;
      if (p === undefined) return;
      const { tzid } = p;
      const st = JSON.parse((await api(`/getState.php?apikey=${key}&tzid=${tzid}`)).body) as { response: string; number?: string; error_msg?: string };
      if (st.response === 'ERROR' && st.error_msg !== 'ERROR_SQL' && !forgotten(p)) anomaly(`pooled tzid ${tzid}: ${st.error_msg}`);
      // Its activation is checked with the others (charged once, refunded at most once); here only that it came.
      if (st.number && !filledPool.has(tzid)) {
        filledPool.add(tzid);
        counts.poolFilled++;
      }
    },
    async () => { // a status change
      const a = live.length ? pick(live) : undefined;
      if (!a) return;
      const status = pick(['1', '1', '6', '-1', '8', '3']);
      await handler({ action: 'setStatus', id: String(a.id), status });
      counts.statusChanges++;
    },
    async () => { // an SMS through the simulator, the code unique in the whole run
      const a = live.length ? pick(live) : undefined;
      if (!a) return;
      const s = services.find((x) => x.code === a.service)!;
      const code = String(100_000 + ++smsSeq);
      const text = s.text(code);
      const r = await admin('POST', '/api/simulator/sms', { to: a.phone, from: s.from, text });
      if (r.status === 202) { smsAccepted.add(text); counts.sms++; }
    },
    async () => { // a rent
      const a = await handler({ action: 'getRentOneDay', country: 'ru' });
      if (!/ERROR|NO_|BAD/.test(a)) counts.rents++;
    },
    async () => { // a top-up, with its idempotency key
      const k = `fault-${seed}-${++topupSeq}`;
      topupsUnknown.add(k);
      const r = await admin('POST', `/api/admin/accounts/${me.id}/topup`, { amount: '100', key: k });
      if (r.status === 201 || r.status === 200) { topupsUnknown.delete(k); topupsAcked.add(k); counts.topups++; }
    },
  ];
  const weights = [4, 2, 2, 4, 4, 1, 1];
  const weighted = operations.flatMap((op, i) => Array<typeof op>(weights[i]!).fill(op));

  /** Runs load until `answered` requests reach `target`, then SIGKILLs while requests are in flight. */
  async function loadAndKill(target: number) {
    let answered = 0;
    let stop = false;
    let killed!: () => void;
    const killedNow = new Promise<void>((r) => { killed = r; });
    const worker = async () => {
      while (!stop) {
        try {
          await pick(weighted)();
          if (++answered === target) killed();
        } catch {
          if (!stop) counts.lostInFlight++;
          await new Promise((r) => setTimeout(r, 5)); // connection refused/reset: the server is being killed
        }
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    await killedNow;
    await server.kill();
    counts.kills++;
    stop = true;
    await Promise.allSettled(workers);
  }

  const settling = new Set(['cancelling', 'rejecting', 'expiring', 'finishing']);

  /** The database's invariants; `settled`: every deadline has passed and fired. */
  async function checkDatabase(settled: boolean) {
    const p = await records.picture();
    for (const r of p.accounts) {
      if (r.total !== r.balance) anomaly(`account ${r.id}: balance ${r.balance} but ledger sums to ${r.total}`);
    }
    const acts = p.activations;
    for (const [id, phone] of received) {
      const a = acts.get(id);
      if (!a) anomaly(`activation ${id} a client received is not in the database`);
      else if (phone !== undefined && a.phone !== phone) anomaly(`activation ${id}: client got ${phone}, database has ${a.phone}`);
    }
    const ledger = p.ledger;
    const byRef = new Map<string, { charge: number; refund: number; chargeAmount: number; refundAmount: number }>();
    for (const l of ledger) {
      if (!l.ref.startsWith('activation:')) continue;
      const e = byRef.get(l.ref) ?? { charge: 0, refund: 0, chargeAmount: 0, refundAmount: 0 };
      if (l.reason === 'charge') { e.charge++; e.chargeAmount += l.amount; }
      if (l.reason === 'refund') { e.refund++; e.refundAmount += l.amount; }
      byRef.set(l.ref, e);
    }
    for (const a of acts.values()) {
      const e = byRef.get(`activation:${a.id}`) ?? { charge: 0, refund: 0, chargeAmount: 0, refundAmount: 0 };
      if (a.price > 0 && e.charge !== 1) anomaly(`activation ${a.id} (price ${a.price}) charged ${e.charge} times`);
      if (e.charge > 1 || e.refund > 1) anomaly(`activation ${a.id}: ${e.charge} charges, ${e.refund} refunds`);
      if (e.refund && -e.chargeAmount !== e.refundAmount) anomaly(`activation ${a.id}: refunded ${e.refundAmount} of ${-e.chargeAmount}`);
      // An ending's effects run before its final state is written: a crash between leaves it settling, refunded (the restart finishes it).
      if (e.refund && a.live && !settling.has(a.state)) anomaly(`activation ${a.id} refunded while live (${a.state})`);
      if (e.refund && a.code !== null) anomaly(`activation ${a.id} refunded after a code (${a.state})`);
      if (!a.live && (a.code === null) !== ['cancelled', 'rejected', 'expired'].includes(a.state)) anomaly(`activation ${a.id} ended ${a.state} with code ${a.code}`);
      if (settled && !a.live && a.code === null && a.price > 0 && e.charge === 1 && e.refund !== 1) anomaly(`activation ${a.id} ended without a code (${a.state}) but refunded ${e.refund} times`);
      if (settled && a.live) anomaly(`activation ${a.id} still live (${a.state}) past its deadline`);
    }
    const rentCharges = new Map<string, number>();
    for (const l of ledger) if (l.key.startsWith('rent:')) rentCharges.set(l.key, l.amount);
    for (const r of p.rents) {
      if (r.price > 0 && rentCharges.get(`rent:${r.id}`) !== -r.price) anomaly(`rent ${r.id} (price ${r.price}) charged ${rentCharges.get(`rent:${r.id}`)}`);
      rentCharges.delete(`rent:${r.id}`);
    }
    // MongoDB: an order a kill left half made (charged, never made) is voided and refunded a minute later.
    const unmade = halfMade(p, rentCharges.keys());
    if (settled) for (const u of unmade) anomaly(`${u} charged, never made and not refunded`);
    const texts = new Map<string, number>();
    for (const text of p.smsTexts) texts.set(text, (texts.get(text) ?? 0) + 1);
    for (const text of smsAccepted) {
      const n = texts.get(text) ?? 0;
      if (n !== 1) anomaly(`SMS "${text}" accepted (202) but stored ${n} times`);
    }
    for (const [text, n] of texts) if (n > 1) anomaly(`SMS "${text}" stored ${n} times`);
    // The outbox: an activation's events are written with it, so a kill never keeps one without the other. On
    // MongoDB a version a kill left unrelayed is relayed half a minute later: checked once everything has settled.
    if (store === 'sqlite' || settled) for (const m of eventsMissing(p)) anomaly(m);
    const keys = new Map(ledger.map((l) => [l.key, l]));
    for (const k of topupsAcked) if (!keys.has(`web-topup:${k}`)) anomaly(`top-up ${k} acknowledged but not in the ledger`);
    return { activations: acts.size };
  }

  /** Activations whose events the log lacks (or holds twice): each has one `activation.opened`, and its code's `sms.received`. */
  function eventsMissing(p: Picture): string[] {
    const opened = new Map<number, number>();
    const coded = new Set<string>();
    for (const e of p.events) {
      if (e.activationId === undefined) continue;
      if (e.type === 'activation.opened') opened.set(e.activationId, (opened.get(e.activationId) ?? 0) + 1);
      if (e.type === 'sms.received') coded.add(`${e.activationId}:${e.code}`);
    }
    const out: string[] = [];
    for (const a of p.activations.values()) {
      if (opened.get(a.id) !== 1) out.push(`activation ${a.id}: ${opened.get(a.id) ?? 0} activation.opened events`);
      if (a.code !== null && !coded.has(`${a.id}:${a.code}`)) out.push(`activation ${a.id} has code ${a.code} but no sms.received event for it`);
    }
    return out;
  }

  /** Charges whose activation or rent was never made (a kill in the middle of the order) and that are not refunded yet. */
  function halfMade(p: Picture, rentKeys: Iterable<string> = rentKeysOf(p)): string[] {
    const keys = new Set(p.ledger.map((l) => l.key));
    const out: string[] = [];
    for (const l of p.ledger) {
      const id = /^activation:(\d+)$/.exec(l.ref)?.[1];
      if (l.reason === 'charge' && id && !p.activations.has(Number(id)) && !keys.has(`refund:${id}`)) out.push(`activation ${id}`);
    }
    for (const k of rentKeys) if (!keys.has(`rent-refund:${k.slice('rent:'.length)}`)) out.push(`rent ${k.slice('rent:'.length)}`);
    return out;
  }
  function rentKeysOf(p: Picture) {
    const made = new Set(p.rents.map((r) => `rent:${r.id}`));
    return p.ledger.filter((l) => l.key.startsWith('rent:') && !made.has(l.key)).map((l) => l.key);
  }

  /** No live activation or rent stays past its deadline plus a grace: every deadline fires after a restart. */
  async function deadlinesFire() {
    const overdue = () => records.overdue(Date.now() - 2_000);
    try {
      await until('overdue deadlines to fire', async () => ((await overdue()).length === 0 ? true : undefined), graceMs, 100);
    } catch {
      anomaly(`deadlines not fired ${graceMs / 1000} s after they passed: ${(await overdue()).join(', ')}`);
    }
  }

  let checkedUpTo = 0;
  let pooledUpTo = 0;
  /** An order that never got a number may be forgotten once the pool window and two lifetimes have passed (README). */
  const forgotten = (p: { tzid: number; at: number }) =>
    !filledPool.has(p.tzid) && Date.now() - p.at > (poolWindowSeconds + 2 * ttlSeconds) * 1000;
  async function checkThroughApi() {
    // Orders waiting in the pool when the server died are still known after the restart, whatever became of them.
    for (const p of pooled.slice(pooledUpTo)) {
      const { tzid } = p;
      const st = JSON.parse((await api(`/getState.php?apikey=${key}&tzid=${tzid}`)).body) as { response: string; error_msg?: string };
      if (st.response === 'ERROR' && !forgotten(p)) anomaly(`pooled tzid ${tzid} after a restart: ${st.error_msg}`);
    }
    pooledUpTo = pooled.length;
    // Unacknowledged top-ups, retried with their keys: credited once whatever happened before the kill.
    for (const k of [...topupsUnknown]) {
      const r = await admin('POST', `/api/admin/accounts/${me.id}/topup`, { amount: '100', key: k });
      if (r.status === 201 || r.status === 200) { topupsUnknown.delete(k); topupsAcked.add(k); counts.topups++; }
      else anomaly(`top-up retry ${k} answered ${r.status}`);
    }
    // Every order received since the last check, and a sample of older ones (a long run stays linear).
    const ids = [...received.keys()];
    const sample = [...ids.slice(checkedUpTo), ...Array.from({ length: Math.min(20, checkedUpTo) }, () => ids[Math.floor(rnd() * checkedUpTo)]!)];
    checkedUpTo = ids.length;
    for (const id of sample) {
      const a = await handler({ action: 'getStatus', id: String(id) });
      if (a === 'NO_ACTIVATION' || a === 'BAD_KEY' || a.startsWith('ERROR')) anomaly(`getStatus ${id} answered ${a}`);
    }
    const ledger = JSON.parse((await api(`/api/admin/accounts/${me.id}/ledger`, { headers: { authorization: `Bearer ${adminKey}` } })).body) as unknown;
    // Deadlines may refund while getBalance runs: its answer must be the balance before it or one the ledger passed through during it.
    const word = (kopecks: number) => `ACCESS_BALANCE:${(kopecks / 100).toFixed(2)}`;
    const before = await records.balance(me.id);
    const bal = await handler({ action: 'getBalance' });
    const during = (await records.balancesAfter(me.id, before.last)).map(word);
    if (bal !== word(before.balance) && !during.includes(bal)) anomaly(`getBalance ${bal} but the database had ${word(before.balance)}, then ${during.join(', ') || 'nothing'}`);
    void ledger;
  }

  for (let run = 0; run < runs; run++) {
    await loadAndKill(3 + Math.floor(rnd() * 40));
    server = await startServerProcess(env);
    counts.runs++;
    if (server.demoKey !== undefined) anomaly('a restart made new accounts');
    await checkDatabase(false);
    await checkThroughApi();
    await deadlinesFire();
    // Drop from the load's pool the activations that ended.
    const stillLive = await records.liveActivationIds();
    for (let i = live.length - 1; i >= 0; i--) if (!stillLive.has(live[i]!.id)) live.splice(i, 1);
    t.log(`run ${run + 1}/${runs}: ${JSON.stringify(counts)} anomalies=${anomalies.length}`);
  }

  // The end: wait for every deadline (TTL, rents) to pass and fire, then check everything once more.
  const last = (await records.live()).lastDeadline;
  await until('every live activation and rent to end', async () => ((await records.live()).count === 0 ? true : undefined),
    Math.max(0, (last ?? 0) - Date.now()) + graceMs, 200).catch(() => anomaly('live activations or rents remain past their deadlines at the end'));
  // MongoDB's reconciler voids an order left half made once it is a minute old, checking every 15 s.
  await until('half-made orders voided and refunded', async () => (halfMade(await records.picture()).length === 0 ? true : undefined), 120_000, 1_000)
    .catch(() => undefined); // what is left is an anomaly below
  // MongoDB relays the events a kill left in a version's outbox once it is half a minute old, checking every 15 s.
  await until('every activation\'s events in the log', async () => (eventsMissing(await records.picture()).length === 0 ? true : undefined), 120_000, 1_000)
    .catch(() => undefined); // what is missing is an anomaly below
  const { activations } = await checkDatabase(true);
  await checkThroughApi();
  await server.stop();
  await checkDatabase(true);

  const summary = `store=${store} seed=${seed} runs=${counts.runs} kills=${counts.kills} orders=${counts.orders} (API #2: ${counts.ordersApi2}) activations=${activations} statusChanges=${counts.statusChanges} sms=${counts.sms} topups=${counts.topups} rents=${counts.rents} requests=${counts.requests} anomalies=${anomalies.length}`;
  t.log(summary);
  t.deepEqual(anomalies, [], summary);
  t.true(counts.orders > 0 && counts.kills === runs, summary);
  t.pass(summary);
}
