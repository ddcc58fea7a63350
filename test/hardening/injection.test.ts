import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { ferretdbBin, freshDatabase, startFerretDb, type FerretDb } from '../helpers/ferretdb.ts';
import { httpRequest, startTestSystem, type TestSystem } from '../helpers/system.ts';
import { leaksInternals, rawGet } from './wire.ts';

/**
 * Injection and object-level authorisation, on the SQLite store and on MongoDB's (FerretDB).
 * NoSQL operators (`api_key[$ne]=`, `id[$gt]=`), SQL fragments, quotes, unicode and NUL bytes through
 * every parameter of every action of both gateways and the JSON API: the protocol's error word, nothing
 * leaked, nothing changed. Another user's activation id is answered byte for byte like a missing one.
 */

const payloads = ["' OR 1=1 --", "1' OR '1'='1", '1 OR 1=1', '1; DROP TABLE accounts', '" OR ""="', '{"$ne":null}', '{"$gt":""}',
  '$where', 'sleep(1)', '\u0000', '1\u0000', '%00', '\u202e1', '١٢٣', '😀', 'a'.repeat(3000), '-1', '0', '2147483648'];
/** The payloads tried in every parameter besides the key (all of them with FUZZ_RUNS set, for the long run). */
const everywhere = process.env.FUZZ_RUNS ? payloads
  : ["' OR 1=1 --", '1; DROP TABLE accounts', '{"$ne":null}', '\u0000', '😀', 'a'.repeat(3000), '-1', '2147483648'];
/** Names sent with operator brackets: body-parsers of other frameworks turn these into objects. */
const bracketed = ['[$ne]', '[$gt]', '[$regex]', '[]', '[0]'];

const actions = ['getBalance', 'getNumbersStatus', 'getPrices', 'getNumber', 'getRepeat', 'setStatus', 'getStatus', 'cleanblacklist',
  'getNumberBalance', 'getRentNumberSMS', 'getRentList', 'getRentOneDay', 'getNumberV2', 'getActiveActivations', 'getStatusV2',
  'getCountries', 'getOperators', 'getFullSms', 'getRentStatus', 'setRentStatus', 'continueRentNumber', 'getContinueRentPriceNumber'];
const methods = ['getBalance', 'getNum', 'setReady', 'getState', 'setOperationOk', 'setOperationRevise', 'getNumRepeat', 'setOperationUsed',
  'getList', 'getOperations', 'setOperationOver'];
/** Every action that takes an activation id (API #1) or a tzid (API #2). */
const idActions = [['getStatus', {}], ['getStatusV2', {}], ['getFullSms', {}], ['setStatus', { status: '-1' }], ['setStatus', { status: '1' }],
  ['setStatus', { status: '3' }], ['setStatus', { status: '6' }], ['setStatus', { status: '8' }], ['setStatus', { status: '10' }],
  ['getNumberBalance', {}], ['getRepeat', {}]] as const;
const idMethods = ['getState', 'setReady', 'setOperationOk', 'setOperationRevise', 'setOperationUsed', 'setOperationOver', 'getNumRepeat'];

interface World {
  sys: TestSystem;
  victim: { id: number; key: string; activation: number; phone: string };
  attacker: { id: number; key: string };
}

async function world(sys: TestSystem, dialect: 'getsms' | 'smsActivate'): Promise<World> {
  const v = await sys.account({ rubles: 500, dialect });
  const answer = await sys.api({ api_key: v.key, action: 'getNumber', service: 'vk', country: dialect === 'getsms' ? 'ru' : '0' });
  const [word, activation, phone] = answer.split(':');
  if (word !== 'ACCESS_NUMBER') throw new Error(`getNumber answered ${answer}`);
  const attacker = await sys.account({ rubles: 500, dialect });
  return { sys, victim: { ...v, activation: Number(activation), phone: phone! }, attacker };
}

/** What must not move: the victim's balance, ledger and activation (the attacker may spend its own money). */
async function snapshot(w: World) {
  const { store, registry } = w.sys;
  return JSON.stringify([
    (await store.accountById(w.victim.id))?.balance, (await store.ledger(w.victim.id)).length,
    (await registry.view(w.victim.id, w.victim.activation))?.state,
  ]);
}

function get(sys: TestSystem, path: string, pairs: [string, string][]) {
  const q = pairs.map(([k, v]) => `${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(v)}`).join('&');
  return rawGet(sys.port, `${path}?${q}`);
}

async function injection(t: ExecutionContext, w: World) {
  const { sys, victim, attacker } = w;
  const before = await snapshot(w);
  let sent = 0;
  const seen = (body: string, what: string) => {
    sent++;
    t.false(body.includes(victim.phone) || body.includes(victim.key) || leaksInternals(body), `${what} → ${body.slice(0, 200)}`);
  };
  const keyWords = /^(BAD_KEY|NO_KEY)$/;
  for (const action of actions) {
    for (const p of payloads) {
      // The key itself: never a match, whatever it holds.
      const a = await get(sys, '/stubs/handler_api.php', [['api_key', p], ['action', action], ['id', String(victim.activation)]]);
      t.regex(a.body, keyWords, `${action} api_key=${p.slice(0, 20)}: HTTP ${a.status}`);
      seen(a.body, action);
      // The attacker's own key with the payload in every other parameter.
      if (!everywhere.includes(p)) continue;
      for (const name of ['action', 'id', 'service', 'country', 'status', 'operator', 'forward', 'count', 'number']) {
        const pairs: [string, string][] = [['api_key', attacker.key], ['action', action], ['id', String(victim.activation)], ['service', 'vk']];
        const at = pairs.findIndex(([n]) => n === name);
        if (at === -1) pairs.push([name, p]);
        else pairs[at] = [name, p];
        const r = await get(sys, '/stubs/handler_api.php', pairs);
        t.is(r.status, 200);
        seen(r.body, `${action} ${name}=${p.slice(0, 20)}`);
      }
    }
    for (const b of bracketed) {
      const a = await get(sys, '/stubs/handler_api.php', [[`api_key${b}`, ''], ['action', action]]);
      t.regex(a.body, keyWords, `${action} api_key${b}`);
      const i = await get(sys, '/stubs/handler_api.php', [['api_key', attacker.key], ['action', action], [`id${b}`, '0']]);
      seen(i.body, `${action} id${b}`);
      t.false(/^(STATUS_|ACCESS_(CANCEL|READY|RETRY|ACTIVATION))/.test(i.body), `${action} id${b} → ${i.body}`);
      sent += 1;
    }
  }
  for (const method of methods) {
    for (const p of [...payloads, ...bracketed.map((b) => `@${b}`)]) {
      const pairs: [string, string][] = p.startsWith('@')
        ? [[`apikey${p.slice(1)}`, ''], ['tzid', String(victim.activation)]]
        : [['apikey', p], ['tzid', String(victim.activation)]];
      const a = await get(sys, `/${method}.php`, pairs);
      t.like(JSON.parse(a.body), { response: 'ERROR' }, `${method} ${pairs[0]![0]}=${p.slice(0, 20)}`);
      t.regex((JSON.parse(a.body) as { error_msg: string }).error_msg, /^ERROR_(NO|WRONG)_KEY$/);
      seen(a.body, method);
      if (!p.startsWith('@') && !everywhere.includes(p)) continue;
      for (const name of ['tzid', 'service', 'country', 'count', 'opstate', 'number']) {
        const r = await get(sys, `/${method}.php`, [['apikey', attacker.key], ['tzid', String(victim.activation)], [p.startsWith('@') ? `${name}${p.slice(1)}` : name, p.startsWith('@') ? '0' : p]]);
        t.is(r.status, 200);
        seen(r.body, `${method} ${name}=${p.slice(0, 20)}`);
      }
    }
  }
  // The JSON API: the key as a bearer, ids in the path, operators in JSON bodies.
  for (const p of payloads) {
    const bearer = await httpRequest(sys.url, { path: '/api/me', headers: { authorization: `Bearer ${p.replace(/[\u0000-\u001f\u007f-\uffff]/g, 'x')}` } });
    t.is(bearer.status, 401, `bearer ${p.slice(0, 20)}`);
    seen(bearer.body, 'bearer');
    const path = await httpRequest(sys.url, { path: `/api/activations/${encodeURIComponent(p)}`, headers: { authorization: `Bearer ${attacker.key}` } });
    t.true(path.status >= 400 && path.status < 500, `GET /api/activations/${p.slice(0, 20)}: ${path.status}`);
    seen(path.body, 'path id');
  }
  for (const body of [{ command: { $ne: null } }, { command: 'cancel', id: { $gt: 0 } }, { command: "cancel' OR 1=1 --" }, { $where: '1' }]) {
    const r = await httpRequest(sys.url, {
      method: 'POST', path: `/api/activations/${victim.activation}/status`, body: JSON.stringify(body),
      headers: { authorization: `Bearer ${attacker.key}`, 'content-type': 'application/json' },
    });
    t.true(r.status >= 400 && r.status < 500, `${JSON.stringify(body)}: ${r.status}`);
    t.truthy((JSON.parse(r.body) as { error?: string }).error);
    seen(r.body, 'json body');
  }
  t.is(await snapshot(w), before, 'the victim\'s balance, ledger and activation did not move');
  return sent;
}

/** Another user's id and a missing one: the same bytes, through every action and route that takes an id. */
async function authorisation(t: ExecutionContext, w: World) {
  const { sys, victim, attacker } = w;
  const before = await snapshot(w);
  const missing = String(victim.activation + 100_000);
  let compared = 0;
  const same = async (what: string, ask: (id: string) => Promise<{ status: number; body: string }>) => {
    const theirs = await ask(String(victim.activation));
    const none = await ask(missing);
    t.is(theirs.status, none.status, what);
    t.is(theirs.body, none.body.replaceAll(missing, String(victim.activation)), what);
    t.false(theirs.body.includes(victim.phone), what);
    compared++;
  };
  for (const [action, more] of idActions) {
    await same(`${action} ${JSON.stringify(more)}`, (id) => get(sys, '/stubs/handler_api.php', [['api_key', attacker.key], ['action', action], ['id', id], ...Object.entries(more)]));
  }
  for (const method of idMethods) {
    await same(method, (id) => get(sys, `/${method}.php`, [['apikey', attacker.key], ['tzid', id]]));
  }
  const bearer = { authorization: `Bearer ${attacker.key}`, 'content-type': 'application/json' };
  await same('GET /api/activations/:id', (id) => httpRequest(sys.url, { path: `/api/activations/${id}`, headers: bearer }));
  for (const command of ['cancel', 'ready', 'retry', 'finish', 'numberUsed']) {
    await same(`POST /api/activations/:id/status ${command}`, (id) => httpRequest(sys.url, {
      method: 'POST', path: `/api/activations/${id}/status`, body: JSON.stringify({ command }), headers: bearer,
    }));
  }
  await same('GET /api/forwardings/:activationId', (id) => httpRequest(sys.url, { path: `/api/forwardings/${id}`, headers: bearer }));
  t.is(await snapshot(w), before, 'the victim\'s activation did not move');
  return compared;
}

async function suite(t: ExecutionContext, env: Record<string, string>) {
  const dialects = ['getsms', 'smsActivate'] as const;
  const sys = await startTestSystem(env);
  t.teardown(() => sys.close());
  let sent = 0;
  let compared = 0;
  // Every victim's number is ordered first: the attackers' own orders during the suite may use up the farm.
  const worlds = [];
  for (const dialect of dialects) worlds.push(await world(sys, dialect));
  for (const w of worlds) {
    sent += await injection(t, w);
    compared += await authorisation(t, w);
  }
  t.log(`${sent} injection requests, ${compared} ids compared with a missing one (${dialects.join(', ')})`);
}

test('SQLite: injection through every parameter changes nothing and leaks nothing; another user\'s id reads as a missing one', (t) => suite(t, {}));

let ferret: FerretDb | undefined;
test.after.always(() => ferret?.stop());
(existsSync(ferretdbBin) ? test : test.skip)('MongoDB (FerretDB): the same injection and authorisation suite', async (t) => {
  ferret = await startFerretDb();
  await suite(t, { MONGODB_URI: ferret.uri(freshDatabase()) });
});
