import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { LedgerEntry, Store } from '../../../actors/index.ts';
import { openMongoStore, SqliteStore } from '../../../server/store/index.ts';
import { freshDatabase, startFerretDb } from '../../helpers/ferretdb.ts';
import { startServerProcess, type ServerProcess } from '../../helpers/process.ts';
import { until } from '../../helpers/until.ts';

/**
 * Two server processes on one store (MongoDB, FerretDB here; or one SQLite file), as behind a round-robin balancer: A has the (simulated)
 * modems, B has none. Both sides take orders, status changes and SMS at once; then B is SIGKILLed and A finishes
 * B's activations and fires their deadlines.
 */

const TTL_SECONDS = 45;
const SYNC_MS = 500;

type Event = Record<string, unknown>;

interface Listener {
  events: Event[];
  close(): void;
}

function listen(server: ServerProcess, key: string): Promise<Listener> {
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws?api_key=${key}`, { perMessageDeflate: false });
  const events: Event[] = [];
  ws.on('message', (data) => events.push(JSON.parse(data.toString()) as Event));
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ events, close: () => ws.close() }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`/ws answered ${res.statusCode}`)));
  });
}

async function api(server: ServerProcess, params: Record<string, string | number>): Promise<string> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const res = await fetch(`${server.url}/stubs/handler_api.php?${query}`);
  return res.text();
}

async function json(server: ServerProcess, key: string, method: string, path: string, body: unknown) {
  const res = await fetch(`${server.url}/api${path}`, {
    method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('two processes on one MongoDB: no SIM twice, no charge twice, events on both; the survivor finishes what the dead one left', async (t) => {
  const db = await startFerretDb();
  t.teardown(() => db.stop());
  const uri = db.uri(freshDatabase());
  await scenario(t, { MONGODB_URI: uri }, () => openMongoStore(uri));
});

test('two processes on one SQLite data directory (SHARED_STORE=on): the same', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-two-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await scenario(t, { DATA_DIR: dir, SHARED_STORE: 'on' }, async () => new SqliteStore(join(dir, 'getsms.sqlite')));
});

async function scenario(t: ExecutionContext, storeEnv: Record<string, string>, openStore: () => Promise<Store>) {
  t.timeout(300_000);
  const common = {
    ...storeEnv, ACTIVATION_TTL_SECONDS: String(TTL_SECONDS), SHARED_SYNC_MS: String(SYNC_MS), LIVE_POLL_MS: '200',
    RATE_LIMIT_RPS: '0',
  };
  const a = await startServerProcess({ ...common, SIMULATOR: 'memory', SIM_MODEMS: '32', SIM_SLOTS: '4' });
  t.teardown(() => a.stop());
  const b = await startServerProcess({ ...common, SIMULATOR: 'none' });
  t.teardown(() => b.stop());
  t.regex(b.output(), /No modems in this process/);
  const adminKey = a.adminKey!;
  const demoKey = a.demoKey!;
  t.truthy(adminKey && demoKey, a.output());
  const adminId = 1;
  t.is((await json(a, adminKey, 'POST', `/admin/accounts/${adminId}/topup`, { amount: '5000', key: 'two-processes-admin' })).status, 201);

  const keys = [adminKey, demoKey];
  const listeners = new Map<string, Listener>();
  for (const [name, server] of [['A', a], ['B', b]] as const) {
    for (const key of keys) listeners.set(`${name}:${key}`, await listen(server, key));
  }
  t.teardown(() => listeners.forEach((l) => l.close()));

  // ── both sides at once ──────────────────────────────────────────────────
  const held = new Map<string, number>(); // phone → the live activation the test holds on it (Telegram)
  const used = new Set<string>(); // phones that received a Telegram code: never sold for it again
  const anomalies: string[] = [];
  const opened: { id: number; key: string; phone: string; end: 'finished' | 'cancelled'; code?: string }[] = [];
  let codes = 40_000;
  const worker = async (w: number) => {
    for (let round = 0; round < 5; round++) {
      const key = keys[(w + round) % 2]!;
      const [here, there] = (w + round) % 2 === 0 ? [a, b] : [b, a];
      const answer = await api(here, { api_key: key, action: 'getNumber', service: 'tg', country: 'ru' });
      const m = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(answer);
      if (!m) {
        anomalies.push(`getNumber answered ${answer}`);
        continue;
      }
      const id = Number(m[1]);
      const phone = m[2]!;
      const before = held.get(phone);
      if (before !== undefined) {
        // A cancel frees the SIM before its answer reaches the worker that sent it: only a live holder is a double.
        const was = await api(here, { api_key: keys[0]!, action: 'getStatus', id: before });
        const wasOther = await api(here, { api_key: keys[1]!, action: 'getStatus', id: before });
        if (![was, wasOther].some((w) => w === 'ACCESS_CANCEL' || w === 'STATUS_CANCEL')) {
          anomalies.push(`${phone} handed out twice: activations ${before} (${was} / ${wasOther}) and ${id}`);
        }
      }
      if (used.has(phone)) anomalies.push(`${phone} sold again for Telegram after it received a code`);
      held.set(phone, id);
      const status = await api(there, { api_key: key, action: 'getStatus', id });
      if (!/^STATUS_WAIT_(READY|CODE)$/.test(status)) anomalies.push(`a fresh activation's status on the other process: ${status}`);
      const ready = await api(there, { api_key: key, action: 'setStatus', id, status: 1 });
      if (ready !== 'ACCESS_READY') anomalies.push(`setStatus 1 on the other process: ${ready}`);
      const end = round % 3 === 2 ? 'cancelled' : 'finished';
      if (end === 'finished') {
        const code = String(++codes);
        const sent = await json(a, adminKey, 'POST', '/simulator/sms', { to: phone, from: 'Telegram', text: `Telegram code: ${code}` });
        if (sent.status !== 202) anomalies.push(`simulator SMS answered ${sent.status}`);
        const seenOn = round % 2 === 0 ? b : a;
        await until(`code ${code} on activation ${id}`, async () =>
          (await api(seenOn, { api_key: key, action: 'getStatus', id })) === `STATUS_OK:${code}` ? true : undefined, 30_000, 50);
        used.add(phone);
        const done = await api(round % 2 === 0 ? a : b, { api_key: key, action: 'setStatus', id, status: 6 });
        if (done !== 'ACCESS_ACTIVATION') anomalies.push(`setStatus 6: ${done}`);
        opened.push({ id, key, phone, end, code });
      } else {
        const done = await api(round % 2 === 0 ? b : a, { api_key: key, action: 'setStatus', id, status: -1 });
        if (done !== 'ACCESS_CANCEL') anomalies.push(`setStatus -1: ${done}`);
        opened.push({ id, key, phone, end });
      }
      if (held.get(phone) === id) held.delete(phone);
    }
  };
  await Promise.all([0, 1, 2, 3, 4, 5].map(worker));
  t.deepEqual(anomalies, []);
  t.is(opened.length, 30);

  // Every event reaches the owner's subscribers on both processes, whichever process made it.
  for (const o of opened) {
    for (const name of ['A', 'B']) {
      const l = listeners.get(`${name}:${o.key}`)!;
      await until(`activation ${o.id}'s events on ${name}`, () => {
        const mine = l.events.filter((e) => e.activationId === o.id);
        const openedSeen = mine.some((e) => e.type === 'activation.opened');
        const codeSeen = o.code === undefined || mine.some((e) => e.type === 'sms.received' && e.code === o.code);
        const endSeen = mine.some((e) => e.live === false && e.status === o.end);
        return openedSeen && codeSeen && endSeen ? true : undefined;
      }, 30_000, 50);
    }
  }
  for (const l of listeners.values()) {
    const ids = l.events.filter((e) => typeof e.id === 'number').map((e) => e.id as number);
    t.is(new Set(ids).size, ids.length, 'no event twice on one connection');
  }

  // ── B dies with live activations; A finishes them and fires their deadlines ──
  type Orphan = { id: number; phone: string };
  const orphans: Orphan[] = [];
  for (let i = 0; i < 6; i++) {
    const m = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(await api(b, { api_key: demoKey, action: 'getNumber', service: 'tg', country: 'ru' }));
    t.truthy(m);
    orphans.push({ id: Number(m![1]), phone: m![2]! });
  }
  // The process with the modems shows the SIMs the other one sold as busy.
  const farm = await fetch(`${a.url}/api/farm`, { headers: { authorization: `Bearer ${adminKey}` } }).then((r) => r.json()) as {
    channels: { slots: { sim: { phone: string; busy: boolean } | null }[] }[];
  };
  const busy = new Set(farm.channels.flatMap((c) => c.slots.flatMap((s) => (s.sim?.busy ? [s.sim.phone] : []))));
  for (const o of orphans) t.true(busy.has(o.phone), `${o.phone} (sold by the other process) shows busy`);
  await b.kill();
  const [coded1, coded2, cancel1, cancel2, left1, left2] = orphans as [Orphan, Orphan, Orphan, Orphan, Orphan, Orphan];
  for (const [o, code] of [[coded1, '70001'], [coded2, '70002']] as const) {
    t.is((await json(a, adminKey, 'POST', '/simulator/sms', { to: o.phone, from: 'Telegram', text: `Telegram code: ${code}` })).status, 202);
    await until(`code ${code} on the dead process's activation ${o.id}`, async () =>
      (await api(a, { api_key: demoKey, action: 'getStatus', id: o.id })) === `STATUS_OK:${code}` ? true : undefined, 30_000, 50);
    t.is(await api(a, { api_key: demoKey, action: 'setStatus', id: o.id, status: 6 }), 'ACCESS_ACTIVATION');
  }
  for (const o of [cancel1, cancel2]) t.is(await api(a, { api_key: demoKey, action: 'setStatus', id: o.id, status: -1 }), 'ACCESS_CANCEL');

  const store = await openStore();
  t.teardown(() => store.close());
  for (const o of [left1, left2]) {
    const record = (await store.activation(o.id))!;
    await until(`activation ${o.id} expired`, async () =>
      (await store.activation(o.id))?.state === 'expired' ? true : undefined, (TTL_SECONDS + 30) * 1000, 100)
      .catch(async (err: Error) => {
        throw new Error(`${err.message}: ${await api(a, { api_key: demoKey, action: 'getStatus', id: o.id })}\n${a.output().slice(-3000)}`);
      });
    const endedAt = Date.now();
    t.true(endedAt >= record.expiresAt, 'not before its deadline');
    // The survivor waits one sync for B to act, takes it over at the next: a few syncs late at worst.
    t.true(endedAt <= record.expiresAt + 10 * SYNC_MS + 5_000, `${endedAt - record.expiresAt} ms after its deadline`);
    t.like(await store.activation(o.id), { state: 'expired', live: false });
    t.is(await api(a, { api_key: demoKey, action: 'getStatus', id: o.id }), 'ACCESS_CANCEL', "getsms's word for an expired activation");
  }

  // ── the books ────────────────────────────────────────────────────────────
  const everything = [...opened, ...orphans.map((o, i) => ({ ...o, key: demoKey, end: i < 2 ? 'finished' : 'cancelled' }))];
  const ledgers = new Map<number, LedgerEntry[]>();
  for (const id of [1, 2]) {
    const ledger = await store.ledger(id);
    ledgers.set(id, ledger);
    const account = (await store.accountById(id))!;
    t.is(ledger.reduce((sum, e) => sum + e.amount, 0), account.balance, `account ${id}: ledger sum equals balance`);
    t.is(new Set(ledger.map((e) => e.key)).size, ledger.length, `account ${id}: no ledger key twice`);
  }
  const all = [...ledgers.values()].flat();
  for (const o of everything) {
    const refs = all.filter((e) => e.ref === `activation:${o.id}`);
    t.is(refs.filter((e) => e.reason === 'charge').length, 1, `activation ${o.id} charged once`);
    t.is(refs.filter((e) => e.reason === 'refund').length, o.end === 'finished' ? 0 : 1, `activation ${o.id} (${o.end}) refunds`);
  }
  t.deepEqual(await store.liveActivations(), []);
}
