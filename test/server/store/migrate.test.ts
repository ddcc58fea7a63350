import test from 'ava';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActivationOrder, ActivationRecord, SimSighting, Store } from '../../../actors/index.ts';
import { copiedTables, openMongoStore, openStore, SqliteStore } from '../../../server/store/index.ts';
import { freshDatabase, startFerretDb, type FerretDb } from '../../helpers/ferretdb.ts';
import { startServerProcess } from '../../helpers/process.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin', 'getsms.js');
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

// One FerretDB 1.x for this file; a fresh database per test.
let ferret: Promise<FerretDb> | undefined;
const server = () => (ferret ??= startFerretDb());
test.after.always(async () => {
  if (ferret) await (await ferret).stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npx getsms …` as an admin runs it, without the environment's DATA_DIR and MONGODB_URI. */
function getsms(...args: string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.DATA_DIR;
  delete env.MONGODB_URI;
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let sims = 0;
function sim(over: Partial<SimSighting> = {}): SimSighting {
  const n = ++sims;
  return {
    iccid: `8970155${String(n).padStart(12, '0')}`, imsi: `25001${String(n).padStart(10, '0')}`,
    phone: `7955${String(n).padStart(7, '0')}`, country: 'ru', operator: 'mts', channel: `ch-${n}`, slot: 1,
    canForward: true, online: true, at: T0, ...over,
  };
}

function order(accountId: number, over: Partial<ActivationOrder> = {}): ActivationOrder {
  return {
    accountId, service: 'telegram', filter: {}, forwarding: false, dialect: 'smsActivate', createdAt: T0, expiresAt: T0 + 20 * 60_000,
    remaining: 0, initialState: 'waitingForCode', ...over,
  };
}

async function opened(store: Store, o: ActivationOrder): Promise<ActivationRecord> {
  const r = await store.openActivation(o);
  if (!r.ok) throw new Error(`order refused: ${r.code}`);
  return r.activation;
}

/** What a running system has: money, a farm, activations in several states, SMS, rents, partners, hooks, events. */
async function seed(store: Store) {
  const admin = await store.createAccount({ email: 'admin@migrate.test', role: 'admin', keyHash: 'key-admin', dialect: 'getsms', createdAt: T0 });
  const buyer = await store.createAccount({ email: 'buyer@migrate.test', role: 'user', keyHash: 'key-buyer', dialect: 'smsActivate', createdAt: T0 });
  const partner = await store.createAccount({ email: 'soft@migrate.test', role: 'user', keyHash: 'key-soft', dialect: 'getsms', createdAt: T0 });
  await store.moveMoney({ accountId: buyer.id, amount: 100_000, reason: 'topup', ref: 'admin:cli', key: 'tx-1', note: 'bank 1', at: T0 });
  await store.moveMoney({ accountId: buyer.id, amount: -2_000, reason: 'debit', ref: 'admin:cli', key: 'tx-2', note: 'fee', at: T0 + 1 });
  await store.setPasswordHash(admin.id, 'scrypt$salt$hash');
  await store.createSession({ tokenHash: 'session-1', accountId: admin.id, createdAt: T0, expiresAt: T0 + 30 * 86_400_000 });
  await store.setPartner({ accountId: partner.id, code: 'SoftCo', shareBp: 1_000, at: T0 });
  await store.createAgentToken({ name: 'rack-1', tokenHash: 'agent-hash-1', createdAt: T0 });
  await store.createAgentToken({ name: 'rack-2', tokenHash: 'agent-hash-2', createdAt: T0 });
  await store.revokeAgentToken('rack-2', T0 + 5);

  await store.setPrice('telegram', 'ru', 2_500);
  await store.setPrice('whatsapp', 'ru', 4_000);
  await store.setRentPrice('ru', 12_000);
  await store.setRule('telegram', { match: 'Telegram', code: '\\d{5}' });
  await store.setSetting('motd', 'hello');
  await store.addAnnouncement('maintenance at noon', T0);
  for (let i = 0; i < 7; i++) await store.upsertSim(sim());
  await store.upsertSim(sim({ online: false, standby: true, channel: 'ch-1', slot: 2 }));
  await store.saveChannel({
    id: 'ch-1', state: 'ready', slot: 1, iccid: null, phone: null, operator: 'mts', registered: true, signalDbm: -71, lastError: null, updatedAt: T0,
  });
  const moved = await store.recordMove({ iccid: (await store.sims())[0]!.iccid, from: { channel: 'ch-1', slot: 1 }, to: { channel: 'ch-9', slot: 1 }, requestedBy: admin.id, at: T0 });
  await store.recordMove({ iccid: moved.iccid, from: { channel: 'ch-9', slot: 1 }, to: { channel: 'ch-1', slot: 1 }, requestedBy: admin.id, at: T0 + 1 });
  await store.completeMoves(moved.iccid, 'ch-9', 1, T0 + 2);

  // Finished with a code, sold through the partner: the commission is paid.
  const finished = await opened(store, order(buyer.id, { referral: { partnerId: partner.id, shareBp: 1_000 } }));
  await store.saveActivation(finished.id, {
    state: 'finished', live: false, code: '11111', nextId: null, at: T0 + 60_000,
    messages: [{ smsId: 0, from: 'Telegram', text: 'code 11111', code: '11111', at: T0 + 30_000 }], snapshot: { value: 'finished' },
  }, finished.version);
  await store.settleActivation({
    activationId: finished.id, accountId: buyer.id, iccid: finished.iccid, phone: finished.phone, service: 'telegram', refund: 0,
    claim: 'used', blacklist: false, at: T0 + 60_000,
  });
  // Cancelled: refunded, its number blacklisted.
  const cancelled = await opened(store, order(buyer.id, { service: 'whatsapp' }));
  await store.saveActivation(cancelled.id, {
    state: 'cancelled', live: false, code: null, messages: [], nextId: null, snapshot: { value: 'cancelled' }, at: T0 + 1_000,
  }, cancelled.version);
  await store.settleActivation({
    activationId: cancelled.id, accountId: buyer.id, iccid: cancelled.iccid, phone: cancelled.phone, service: 'whatsapp',
    refund: cancelled.price, claim: 'release', blacklist: true, at: T0 + 1_000,
  });
  // Live with an SMS in it (snapshot keys with dots, which MongoDB field names may not hold), and forwarding asked for.
  const live = await opened(store, order(buyer.id, { forwarding: true }));
  const { sms } = await store.saveSms({
    fingerprint: 'fp-1', iccid: live.iccid, phone: live.phone, sender: 'Telegram', text: 'Telegram code 22222', receivedAt: T0 + 5_000,
  });
  await store.linkSms(sms.id, [live.id]);
  await store.saveActivation(live.id, {
    state: 'codeArrived', live: true, code: '22222', nextId: null, at: T0 + 5_000,
    messages: [{ smsId: sms.id, from: 'Telegram', text: 'Telegram code 22222', code: '22222', at: T0 + 5_000 }],
    snapshot: { value: 'codeArrived', context: { id: live.id, 'a.b': { $x: 1 } } },
  }, live.version);
  await store.saveForwarding({
    activationId: live.id, accountId: buyer.id, iccid: live.iccid, phone: live.phone, to: '79990001122', state: 'set', error: null,
    attempts: 1, requestedAt: T0 + 2_000, doneAt: T0 + 3_000,
  });
  await store.saveSms({ fingerprint: 'fp-2', iccid: live.iccid, phone: live.phone, sender: 'Bank', text: 'unrelated', receivedAt: T0 + 6_000 });
  // A free repeat on the finished activation's number: live, the SIM both used and held for the service.
  const repeat = await opened(store, order(buyer.id, { repeat: { iccid: finished.iccid, previousId: finished.id, chained: false } }));

  // sms-reg's pool: an order its ticket filled, and a ticket still waiting, leased by a try under way.
  const pooled = await opened(store, order(buyer.id, { ticket: filledTzid }));
  const ticket = { accountId: buyer.id, service: 'telegram', filter: { country: 'ru' }, createdAt: T0, until: T0 + 30_000, activationId: null };
  await store.insertPoolTicket({ ...ticket, tzid: filledTzid, state: 'looking', triedAt: T0, leaseUntil: 0 });
  await store.updatePoolTicket(filledTzid, { state: 'looking', triedAt: T0, leaseUntil: 0 }, { state: 'filled', activationId: pooled.id });
  await store.insertPoolTicket({ ...ticket, tzid: waitingTzid, state: 'looking', triedAt: T0 + 1_000, leaseUntil: T0 + 11_000 });

  // A live rent extended once, with an SMS; and a finished one.
  const rent = await store.openRent({ accountId: buyer.id, filter: {}, service: 'full', dialect: 'smsActivate', hours: 24, createdAt: T0, endsAt: T0 + 24 * HOUR });
  if (!rent.ok) throw new Error(`rent refused: ${rent.code}`);
  const extended = await store.extendRent({ rentId: rent.rent.id, accountId: buyer.id, hours: 12, addMs: 12 * HOUR, at: T0 + HOUR });
  if (!extended.ok) throw new Error(`extension refused: ${extended.code}`);
  await store.saveRent(rent.rent.id, {
    state: 'renting', live: true, messages: [{ smsId: 99, from: 'Bank', text: 'rented hello', at: T0 + 2 * HOUR }],
    snapshot: { value: 'renting' }, at: T0 + 2 * HOUR,
  }, rent.rent.version);
  const ended = await store.openRent({ accountId: buyer.id, filter: {}, service: 'full', dialect: 'getsms', hours: 4, createdAt: T0, endsAt: T0 + 4 * HOUR });
  if (!ended.ok) throw new Error(`rent refused: ${ended.code}`);
  await store.saveRent(ended.rent.id, { state: 'cancelled', live: false, messages: [], snapshot: { value: 'cancelled' }, at: T0 + 60_000 }, 0);
  await store.refundRent({ rentId: ended.rent.id, accountId: buyer.id, amount: 1_000, at: T0 + 60_000 });

  // Webhooks: one delivered, one waiting for its second attempt.
  await store.setWebhook(buyer.id, { url: 'https://hooks.example/sms', secret: 'shh' }, T0);
  await store.enqueueWebhook({ key: `sms:${live.id}:${sms.id}`, accountId: buyer.id, url: 'https://hooks.example/sms', body: '{"a":1}', createdAt: T0, dueAt: T0 });
  await store.enqueueWebhook({ key: `sms:${live.id}:0`, accountId: buyer.id, url: 'https://hooks.example/sms', body: '{"a":2}', createdAt: T0, dueAt: T0 });
  const [first, second] = await store.claimWebhooks({ now: T0, leaseUntil: T0 + 30_000, limit: 10 });
  await store.finishWebhook(first!.id, { delivered: true, at: T0 + 100 });
  await store.finishWebhook(second!.id, { delivered: false, error: 'HTTP 500', retryAt: T0 + 60_000, at: T0 + 100 });

  // The event log, its two oldest pruned: ids 3 to 8 remain, and 8 is the newest ever given.
  await store.appendEvents(Array.from({ length: 8 }, (_, i) => ({
    at: T0 + i, topic: i % 2 ? 'activation' as const : 'sim' as const, type: i % 2 ? 'activation.changed' : 'sim.seen',
    accountId: i % 2 ? buyer.id : null, data: { i, 'dotted.key': true },
  })));
  await store.pruneEvents({ before: 0, keep: 6 });
  return {
    admin: admin.id, buyer: buyer.id, partner: partner.id, live, repeat, pooled, rent: rent.rent.id,
    activations: [finished.id, cancelled.id, live.id, repeat.id, pooled.id],
  };
}

type Seeded = Awaited<ReturnType<typeof seed>>;
const filledTzid = 2_000_000_777;
const waitingTzid = 2_000_000_778;

/** Everything the Store port shows of the seeded data; the same on both adapters after a good copy. */
async function picture(store: Store, s: Seeded) {
  const accounts = await store.accounts();
  const sims = await store.sims();
  return {
    accounts,
    ledgers: await Promise.all(accounts.map((a) => store.ledger(a.id))),
    owners: await Promise.all(['key-admin', 'key-buyer', 'key-soft'].map((k) => store.keyOwner(k))),
    password: await store.passwordHash(s.admin),
    session: await store.sessionOwner('session-1', T0 + 1),
    prices: await store.prices(),
    rentPrices: await store.rentPrices(),
    rules: [...(await store.rules())].sort(([a], [b]) => a.localeCompare(b)),
    setting: await store.setting('motd'),
    announcements: await store.announcements(),
    sims,
    channels: await store.channels(),
    moves: await store.moves({ limit: 10 }),
    pendingMoves: await store.moves({ pending: true, limit: 10 }),
    activations: await store.activations({ limit: 50 }),
    byId: await Promise.all(s.activations.map((id) => store.activation(id))),
    live: (await store.liveActivations()).map((a) => a.id),
    lastCoded: await store.lastCodedActivation(s.buyer, s.live.phone, 'telegram'),
    blacklist: await store.blacklist(s.buyer),
    sms: await Promise.all(sims.map((x) => store.smsOfSim(x.iccid, 10))),
    availability: [...(await store.availability({ accountId: s.buyer, filter: {} }))].sort(([a], [b]) => a.localeCompare(b)),
    rentable: await store.rentable({}),
    rents: await store.rents({ limit: 10 }),
    liveRents: (await store.liveRents()).map((r) => r.id),
    events: await store.eventsSince({ after: 0, limit: 100 }),
    buyerEvents: await store.eventsSince({ after: 4, limit: 100, accountId: s.buyer }),
    eventBounds: await store.eventBounds(),
    webhook: await store.webhook(s.buyer),
    deliveries: await store.webhookDeliveries(s.buyer, 10),
    forwarding: await store.forwarding(s.live.id),
    forwardings: await store.forwardings({ accountId: s.buyer, limit: 10 }),
    partners: await store.partners(),
    partnerByCode: await store.partnerByCode('softco'),
    referrals: await store.referrals(s.partner, 10),
    agentTokens: await store.agentTokens(),
    agent: await store.agentByTokenHash('agent-hash-1'),
    tickets: await Promise.all([filledTzid, waitingTzid].map((tzid) => store.poolTicket(tzid))),
    ticketActivation: await store.activationOfTicket(filledTzid),
  };
}

test('migrate copies a SQLite data directory into MongoDB, verifies it, and the MongoDB Store serves it and goes on from it', async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, 'data');
  const sqlite = await openStore({ dataDir });
  const seeded = await seed(sqlite);
  const before = await picture(sqlite, seeded);
  await sqlite.close();
  const uri = (await server()).uri(freshDatabase());

  const run = await getsms('migrate', '--from', dataDir, '--to', uri);
  t.is(run.code, 0, run.stderr + run.stdout);
  t.regex(run.stdout, /^ {2}activations +5 rows → 10 documents$/m, 'each activation is its order and its newest version');
  t.regex(run.stdout, /^ {2}pool_tickets +2 rows → 2 documents$/m);
  t.regex(run.stdout, /^ {2}events +6 rows → 6 documents$/m);
  t.regex(run.stdout, /^ {2}accounts → accounts +3 +3 +ok$/m);
  t.regex(run.stdout, /^ {2}live activations \(Store\) +3 +3 +ok$/m);
  t.regex(run.stdout, /^ {2}newest event id \(Store\) +8 +8 +ok$/m);
  const buyerLine = new RegExp(`^ {2}${seeded.buyer} +buyer@migrate\\.test +(\\d+\\.\\d\\d) +(\\d+\\.\\d\\d) +(\\d+\\.\\d\\d) +ok$`, 'm').exec(run.stdout);
  t.truthy(buyerLine, run.stdout);
  const buyerBalance = before.accounts.find((a) => a.id === seeded.buyer)!.balance;
  t.deepEqual(buyerLine!.slice(1), Array(3).fill((buyerBalance / 100).toFixed(2)), 'sqlite balance, mongodb balance, mongodb ledger sum');
  t.notRegex(run.stdout, /DIFFERS/);
  t.regex(run.stdout, /^migrated: /m);
  t.is(run.stderr, '');

  const mongo = await openMongoStore(uri);
  t.teardown(() => mongo.close());
  t.deepEqual(await picture(mongo, seeded), before, 'the MongoDB Store shows what the SQLite Store showed');
  t.true(before.accounts.some((a) => a.id === seeded.partner && a.balance === 250), 'the partner was paid its 10 %');

  // It goes on from the copy: new ids above the copied ones, versions and extensions numbered on.
  t.like(await mongo.openActivation(order(seeded.buyer, { ticket: filledTzid })), { ok: true, activation: { id: seeded.pooled.id } },
    'a filled ticket\'s order is still made once');
  t.true(await mongo.updatePoolTicket(waitingTzid, { state: 'looking', triedAt: T0 + 1_000, leaseUntil: T0 + 11_000 }, { leaseUntil: 0 }),
    'a waiting ticket goes on changing');
  const next = await opened(mongo, order(seeded.buyer));
  t.true(next.id > Math.max(...seeded.activations), `new activation id ${next.id}`);
  t.is(await mongo.saveActivation(seeded.live.id, {
    state: 'finished', live: false, code: '22222', messages: seeded.live.messages, nextId: null, snapshot: {}, at: T0 + 90_000,
  }, seeded.live.version + 1), seeded.live.version + 2);
  const event = await mongo.appendEvent({ at: T0 + 100, topic: 'sim', type: 'sim.seen', accountId: null, data: {} });
  t.is(event.id, 9);
  const extended = await mongo.extendRent({ rentId: seeded.rent, accountId: seeded.buyer, hours: 12, addMs: 12 * HOUR, at: T0 + 3 * HOUR });
  t.like(extended, { ok: true, rent: { extensions: 2, hours: 48 }, charged: 6_000 });
  t.like((await mongo.ledger(seeded.buyer)).at(-1), { key: `rent-extend:${seeded.rent}:2`, amount: -6_000 });
  const moved = await mongo.moveMoney({ accountId: seeded.buyer, amount: 500, reason: 'topup', ref: 'admin:cli', key: 'tx-3', at: T0 + 4 * HOUR });
  t.like(moved, { ok: true, applied: true });
  t.deepEqual(await mongo.moveMoney({ accountId: seeded.buyer, amount: 100_000, reason: 'topup', ref: 'admin:cli', key: 'tx-1', at: T0 }), {
    ok: true, balance: (await mongo.accountById(seeded.buyer))!.balance, applied: false,
  }, 'a copied ledger key still makes a repeated move change nothing');

  // Again into the same database: refused, nothing touched; with --replace it starts over.
  const again = await getsms('migrate', '--from', dataDir, '--to', uri);
  t.is(again.code, 2);
  t.regex(again.stderr, /^getsms: .* already holds getsms data \(.*accounts.*\): migrate into an empty database, or add --replace/);
  t.is(again.stderr.trim().split('\n').length, 1);
  t.is(again.stdout, '');
  t.is((await mongo.activation(next.id))?.id, next.id);
  const replaced = await getsms('migrate', '--from', dataDir, '--to', uri, '--replace');
  t.is(replaced.code, 0, replaced.stderr);
  t.is(await mongo.activation(next.id), undefined, 'the target is the source again');
});

test('a server stopped on SQLite starts on the migrated MongoDB and answers for the same keys, money and activations', async (t) => {
  const dataDir = join(tempDir(t), 'data');
  const farm = { SIMULATOR: 'memory', SIM_MODEMS: '2', SIM_SLOTS: '1' };
  const before = await startServerProcess({ DATA_DIR: dataDir, ...farm });
  t.teardown(() => before.stop());
  const api = (url: string, query: string) => fetch(`${url}/stubs/handler_api.php?api_key=${before.demoKey}&${query}`).then((r) => r.text());
  const [, id] = (await api(before.url, 'action=getNumber&service=tg&country=0')).split(':');
  const status = await api(before.url, `action=getStatus&id=${id}`);
  const balance = await api(before.url, 'action=getBalance');
  await before.stop();

  const uri = (await server()).uri(freshDatabase());
  const run = await getsms('migrate', '--from', dataDir, '--to', uri);
  t.is(run.code, 0, run.stderr);
  const after = await startServerProcess({ MONGODB_URI: uri, ...farm });
  t.teardown(() => after.stop());
  t.is(after.demoKey, undefined, 'no second demo account: the database is not empty');
  t.is(await api(after.url, `action=getStatus&id=${id}`), status);
  t.is(await api(after.url, 'action=getBalance'), balance);
  t.is(await api(after.url, `action=setStatus&id=${id}&status=1`), 'ACCESS_READY', 'the live activation was restored and goes on');
  const [, next] = (await api(after.url, 'action=getNumber&service=wa&country=0')).split(':');
  t.true(Number(next) > Number(id), `new id ${next} after ${id}`);
});

test('an event log pruned empty goes on above the highest id SQLite ever gave', async (t) => {
  const dir = tempDir(t);
  const store = new SqliteStore(join(dir, 'getsms.sqlite'));
  await store.appendEvents([1, 2, 3].map((i) => ({ at: T0 + i, topic: 'sim' as const, type: 'sim.seen', accountId: null, data: { i } })));
  t.is(await store.pruneEvents({ before: T0 + 100, keep: 1_000 }), 3);
  await store.close();
  const uri = (await server()).uri(freshDatabase());
  const run = await getsms('migrate', '--from', dir, '--to', uri);
  t.is(run.code, 0, run.stderr);
  const mongo = await openMongoStore(uri);
  t.teardown(() => mongo.close());
  t.deepEqual(await mongo.eventBounds(), { oldest: 0, newest: 0 });
  t.is((await mongo.appendEvent({ at: T0 + 200, topic: 'sim', type: 'sim.seen', accountId: null, data: {} })).id, 4,
    'a client that saw event 3 before the move gets the next one with since=3');
});

test('migrate exits 1 and names what differs when a balance does not add up to its ledger', async (t) => {
  const dir = tempDir(t);
  const store = new SqliteStore(join(dir, 'getsms.sqlite'));
  const a = await store.createAccount({ email: 'odd@migrate.test', role: 'user', keyHash: 'key-odd', dialect: 'getsms', createdAt: T0 });
  await store.moveMoney({ accountId: a.id, amount: 10_000, reason: 'topup', ref: 'admin:cli', key: 'tx-1', at: T0 });
  await store.close();
  // A hand-edited balance: the ledger, which MongoDB keeps as the balance, says 100.00.
  const db = new Database(join(dir, 'getsms.sqlite'));
  db.prepare('UPDATE accounts SET balance = 10100 WHERE id = ?').run(a.id);
  db.close();
  const run = await getsms('migrate', '--from', dir, '--to', (await server()).uri(freshDatabase()));
  t.is(run.code, 1);
  t.regex(run.stdout, new RegExp(`^ {2}${a.id} +odd@migrate\\.test +101\\.00 +100\\.00 +100\\.00 +DIFFERS$`, 'm'));
  t.is(run.stderr, `getsms: the copy differs from the source: account ${a.id} balance 101.00 vs 100.00, ledger 100.00\n`);
});

test('migrate refuses a missing data directory, a bad URI and a database a server holds, in one sentence with exit status 2', async (t) => {
  const dir = tempDir(t);
  const missing = await getsms('migrate', '--from', join(dir, 'nothing'), '--to', 'mongodb://127.0.0.1:9/getsms');
  t.is(missing.code, 2);
  t.is(missing.stderr, `getsms: there is no data directory ${join(dir, 'nothing')}\n`);
  t.is(missing.stdout, '');

  const empty = await getsms('migrate', '--from', dir, '--to', 'mongodb://127.0.0.1:9/getsms');
  t.is(empty.code, 2);
  t.regex(empty.stderr, /^getsms: .* holds no getsms\.sqlite/);

  const noTarget = await getsms('migrate', '--from', dir);
  t.is(noTarget.code, 2);
  t.is(noTarget.stderr, 'getsms: migrate needs --to <mongodb://host:port/database> (or MONGODB_URI)\n');

  // A database closed cleanly, but a URI that is none.
  await new SqliteStore(join(dir, 'getsms.sqlite')).close();
  const badUri = await getsms('migrate', '--from', dir, '--to', 'postgres://x/y');
  t.is(badUri.code, 2);
  t.is(badUri.stderr, 'getsms: "postgres://x/y" is not a MongoDB URI (mongodb://host:port/database)\n');
  const noDatabase = await getsms('migrate', '--from', dir, '--to', 'mongodb://admin:secret@127.0.0.1:9');
  t.is(noDatabase.code, 2);
  t.is(noDatabase.stderr, 'getsms: mongodb://127.0.0.1:9 names no database: add one, as in mongodb://host:27017/getsms\n', 'no password shown');

  // A server running on the directory: its write-ahead log is not empty.
  const running = new SqliteStore(join(dir, 'getsms.sqlite'));
  t.teardown(() => running.close());
  await running.setSetting('motd', 'busy');
  const busy = await getsms('migrate', '--from', dir, '--to', 'mongodb://127.0.0.1:9/getsms');
  t.is(busy.code, 2);
  t.regex(busy.stderr, /^getsms: .*getsms\.sqlite is in use .*stop the server first/);
  t.is(busy.stderr.trim().split('\n').length, 1, 'one sentence, no stack');

  const extra = await getsms('migrate', dir);
  t.is(extra.code, 2);
  t.regex(extra.stderr, /^getsms: migrate does not take/);
});

test('every table the SQLite schema makes is one the copy knows', async (t) => {
  const dir = tempDir(t);
  await new SqliteStore(join(dir, 'getsms.sqlite')).close();
  const db = new Database(join(dir, 'getsms.sqlite'), { readonly: true });
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
  db.close();
  t.deepEqual([...(await copiedTables())].sort(), tables.sort());
});
