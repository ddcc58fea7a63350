import test from 'ava';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { until } from '../helpers/until.ts';
import { services as catalogue } from '../../actors/index.ts';

/**
 * Mixed load against a real server process, SIGKILLed at random moments and
 * restarted on the same DATA_DIR, checking after every restart (SQLite read
 * read-only, and the API) that nothing was lost, duplicated, charged or
 * refunded twice. `FAULT_RUNS` sets the number of kills (5 in `npm test`),
 * `FAULT_SEED` replays a run. Kills are placed by counts of answered requests,
 * never by wall-clock time; waits are bounded polls.
 */
const runs = Number(process.env.FAULT_RUNS ?? 5);
const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const ttlSeconds = 6;
const graceMs = 60_000; // how long a deadline may take to fire after it passed (restart included) on a loaded machine

function prng(s: number) {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('SIGKILLed at random moments under mixed load, the server loses, doubles and double-charges nothing', async (t) => {
  t.timeout(Math.max(120_000, runs * 60_000));
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const dataDir = mkdtempSync(join(tmpdir(), 'getsms-faults-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = {
    DATA_DIR: dataDir, SIMULATOR: 'memory', SIM_MODEMS: '32', SIM_SLOTS: '4', RATE_LIMIT_RPS: '0',
    ACTIVATION_TTL_SECONDS: String(ttlSeconds), NO_NUMBERS_CACHE_SECONDS: '0', RENT_HOUR_MS: '250',
  };
  let server: ServerProcess = await startServerProcess(env);
  t.teardown(() => server.stop());
  const adminKey = server.adminKey!;
  const key = server.demoKey!;

  const anomalies: string[] = [];
  const anomaly = (s: string) => { anomalies.push(s); t.log(`ANOMALY: ${s}`); };
  const counts = { runs: 0, kills: 0, orders: 0, ordersApi2: 0, statusChanges: 0, sms: 0, topups: 0, rents: 0, pooled: 0, requests: 0, lostInFlight: 0 };

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
      const r = await api(`/getNum.php?${new URLSearchParams({ apikey: key, service: s.reg, country: 'ru' })}`);
      const j = JSON.parse(r.body) as { response: string; tzid?: string };
      if (j.response !== '1' || !j.tzid) return;
      const id = Number(j.tzid);
      // A tzid from 2,000,000,000 up is an order waiting in the in-memory pool (README: lost on restart, nothing charged).
      if (id >= 2_000_000_000) { counts.pooled++; return; }
      if (received.has(id)) anomaly(`tzid ${id} handed out twice`);
      received.set(id, undefined); counts.orders++; counts.ordersApi2++;
      const st = JSON.parse((await api(`/getState.php?apikey=${key}&tzid=${id}`)).body) as { number?: string };
      if (st.number) { received.set(id, st.number); live.push({ id, phone: st.number, service: s.code }); }
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
  const weights = [4, 2, 4, 4, 1, 1];
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
  function openDb() {
    return new Database(join(dataDir, 'getsms.sqlite'), { readonly: true, fileMustExist: true });
  }

  /** The database's invariants; `settled`: every deadline has passed and fired. */
  function checkDatabase(settled: boolean) {
    const db = openDb();
    // One read transaction: a consistent snapshot while the restarted server keeps settling deadlines.
    db.exec('BEGIN');
    try {
      for (const r of db.prepare(`SELECT a.id, a.balance, coalesce((SELECT sum(amount) FROM ledger l WHERE l.account_id = a.id), 0) AS total FROM accounts a`).all() as { id: number; balance: number; total: number }[]) {
        if (r.total !== r.balance) anomaly(`account ${r.id}: balance ${r.balance} but ledger sums to ${r.total}`);
      }
      const acts = new Map((db.prepare('SELECT id, phone, price, code, live, state, expires_at FROM activations').all() as { id: number; phone: string; price: number; code: string | null; live: number; state: string; expires_at: number }[]).map((a) => [a.id, a]));
      for (const [id, phone] of received) {
        const a = acts.get(id);
        if (!a) anomaly(`activation ${id} a client received is not in the database`);
        else if (phone !== undefined && a.phone !== phone) anomaly(`activation ${id}: client got ${phone}, database has ${a.phone}`);
      }
      const ledger = db.prepare(`SELECT key, amount, reason, ref FROM ledger`).all() as { key: string; amount: number; reason: string; ref: string }[];
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
      const rents = db.prepare('SELECT id, price FROM rents').all() as { id: number; price: number }[];
      const rentCharges = new Map<string, number>();
      for (const l of ledger) if (l.key.startsWith('rent:')) rentCharges.set(l.key, l.amount);
      for (const r of rents) {
        if (r.price > 0 && rentCharges.get(`rent:${r.id}`) !== -r.price) anomaly(`rent ${r.id} (price ${r.price}) charged ${rentCharges.get(`rent:${r.id}`)}`);
        rentCharges.delete(`rent:${r.id}`);
      }
      for (const k of rentCharges.keys()) anomaly(`ledger ${k} has no rent`);
      const texts = new Map<string, number>();
      for (const s of db.prepare('SELECT text FROM sms').all() as { text: string }[]) texts.set(s.text, (texts.get(s.text) ?? 0) + 1);
      for (const text of smsAccepted) {
        const n = texts.get(text) ?? 0;
        if (n !== 1) anomaly(`SMS "${text}" accepted (202) but stored ${n} times`);
      }
      for (const [text, n] of texts) if (n > 1) anomaly(`SMS "${text}" stored ${n} times`);
      const keys = new Map(ledger.map((l) => [l.key, l]));
      for (const k of topupsAcked) if (!keys.has(`web-topup:${k}`)) anomaly(`top-up ${k} acknowledged but not in the ledger`);
      return { activations: acts.size };
    } finally {
      db.exec('COMMIT');
      db.close();
    }
  }

  /** No live activation or rent stays past its deadline plus a grace: every deadline fires after a restart. */
  async function deadlinesFire() {
    const overdue = () => {
      const db = openDb();
      try {
        const now = Date.now();
        return [
          ...(db.prepare('SELECT id FROM activations WHERE live = 1 AND expires_at < ?').all(now - 2_000) as { id: number }[]).map((r) => `activation ${r.id}`),
          ...(db.prepare('SELECT id FROM rents WHERE live = 1 AND ends_at < ?').all(now - 2_000) as { id: number }[]).map((r) => `rent ${r.id}`),
        ];
      } finally { db.close(); }
    };
    try {
      await until('overdue deadlines to fire', () => (overdue().length === 0 ? true : undefined), graceMs, 100);
    } catch {
      anomaly(`deadlines not fired ${graceMs / 1000} s after they passed: ${overdue().join(', ')}`);
    }
  }

  let checkedUpTo = 0;
  async function checkThroughApi() {
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
    let db = openDb();
    const before = db.prepare('SELECT a.balance, (SELECT coalesce(max(id), 0) FROM ledger) AS last FROM accounts a WHERE a.id = ?').get(me.id) as { balance: number; last: number };
    db.close();
    const bal = await handler({ action: 'getBalance' });
    db = openDb();
    const during = (db.prepare('SELECT balance_after FROM ledger WHERE account_id = ? AND id > ?').all(me.id, before.last) as { balance_after: number }[]).map((r) => word(r.balance_after));
    db.close();
    if (bal !== word(before.balance) && !during.includes(bal)) anomaly(`getBalance ${bal} but the database had ${word(before.balance)}, then ${during.join(', ') || 'nothing'}`);
    void ledger;
  }

  for (let run = 0; run < runs; run++) {
    await loadAndKill(3 + Math.floor(rnd() * 40));
    server = await startServerProcess(env);
    counts.runs++;
    if (server.demoKey !== undefined) anomaly('a restart made new accounts');
    checkDatabase(false);
    await checkThroughApi();
    await deadlinesFire();
    // Drop from the load's pool the activations that ended.
    const db = openDb();
    try {
      const stillLive = new Set((db.prepare('SELECT id FROM activations WHERE live = 1').all() as { id: number }[]).map((r) => r.id));
      for (let i = live.length - 1; i >= 0; i--) if (!stillLive.has(live[i]!.id)) live.splice(i, 1);
    } finally { db.close(); }
    t.log(`run ${run + 1}/${runs}: ${JSON.stringify(counts)} anomalies=${anomalies.length}`);
  }

  // The end: wait for every deadline (TTL, rents) to pass and fire, then check everything once more.
  const db = openDb();
  const last = (db.prepare('SELECT max(m) AS m FROM (SELECT max(expires_at) AS m FROM activations WHERE live = 1 UNION ALL SELECT max(ends_at) FROM rents WHERE live = 1)').get() as { m: number | null }).m;
  db.close();
  await until('every live activation and rent to end', () => {
    const d = openDb();
    try {
      const n = (d.prepare('SELECT (SELECT count(*) FROM activations WHERE live = 1) + (SELECT count(*) FROM rents WHERE live = 1) AS n').get() as { n: number }).n;
      return n === 0 ? true : undefined;
    } finally { d.close(); }
  }, Math.max(0, (last ?? 0) - Date.now()) + graceMs, 200).catch(() => anomaly('live activations or rents remain past their deadlines at the end'));
  const { activations } = checkDatabase(true);
  await checkThroughApi();
  await server.stop();
  checkDatabase(true);

  const summary = `seed=${seed} runs=${counts.runs} kills=${counts.kills} orders=${counts.orders} (API #2: ${counts.ordersApi2}) activations=${activations} statusChanges=${counts.statusChanges} sms=${counts.sms} topups=${counts.topups} rents=${counts.rents} requests=${counts.requests} anomalies=${anomalies.length}`;
  t.log(summary);
  t.deepEqual(anomalies, [], summary);
  t.true(counts.orders > 0 && counts.kills === runs, summary);
  t.pass(summary);
});
