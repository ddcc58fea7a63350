import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatorProcess } from '../../helpers/simulator-process.ts';
import { startTestSystem, type TestSystem } from '../../helpers/system.ts';
import { until } from '../../helpers/until.ts';

interface ForwardingJson {
  activationId: number;
  phone: string;
  to: string;
  state: 'pending' | 'set' | 'failed';
  error: string | null;
}

async function getJson<T>(sys: TestSystem, key: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sys.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as T };
}

/** The forwarding of an activation once the network answered (set or failed). */
function settled(sys: TestSystem, key: string, id: string | number): Promise<ForwardingJson> {
  return until(`the forwarding of activation ${id} settled`, async () => {
    const { status, body } = await getJson<{ forwarding: ForwardingJson }>(sys, key, `/api/forwardings/${id}`);
    return status === 200 && body.forwarding.state !== 'pending' ? body.forwarding : undefined;
  }, 60_000);
}

const numberOf = (answer: string) => /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(answer)?.slice(1) as [string, string] | undefined;

test('getNumber forward=1 hands out only SIMs that can forward, exactly as many as getNumbersStatus counts in av_1', async (t) => {
  const sys = await startTestSystem();
  t.teardown(() => sys.close());
  const { key } = await sys.account({ rubles: 5000 });
  const sims = (await sys.store.sims()).filter((s) => s.online);
  const forwarding = sims.filter((s) => s.canForward);
  t.true(forwarding.length > 0 && forwarding.length < sims.length, 'the simulated farm has SIMs of both kinds');

  const counts = JSON.parse(await sys.api({ api_key: key, action: 'getNumbersStatus', country: 'or' })) as Record<string, number>;
  t.is(counts.av_1, forwarding.length);
  t.is(counts.av_0, sims.length);

  const given: string[] = [];
  for (;;) {
    const answer = await sys.api({ api_key: key, action: 'getNumber', service: 'av', country: 'or', forward: 1 });
    const got = numberOf(answer);
    if (!got) {
      t.is(answer, 'NO_NUMBER');
      break;
    }
    given.push(got[1]);
  }
  t.deepEqual(given.sort(), forwarding.map((s) => s.phone).sort());
  const after = JSON.parse(await sys.api({ api_key: key, action: 'getNumbersStatus', country: 'or' })) as Record<string, number>;
  t.is(after.av_1, 0, 'every forwarding SIM is taken for Avito now');
  t.is(after.av_0, sims.length - forwarding.length);
});

test('setStatus forward=<number> sets unconditional forwarding on the activation\'s SIM (in-memory farm) and records that it took', async (t) => {
  const sys = await startTestSystem();
  t.teardown(() => sys.close());
  const { key } = await sys.account();
  const [id, phone] = numberOf(await sys.api({ api_key: key, action: 'getNumber', service: 'av', country: 'ru', forward: 1 }))!;
  t.is(await sys.api({ api_key: key, action: 'setStatus', id, status: 1, forward: '+7 (926) 123-45-67' }), 'ACCESS_READY');
  const f = await settled(sys, key, id);
  t.like(f, { activationId: Number(id), phone, to: '79261234567', state: 'set', error: null });
  const sim = await sys.store.simByPhone(phone);
  t.is(sys.lines.simulated!.forwarding(sim!.iccid), '79261234567', 'the simulated network forwards the SIM\'s calls');
  t.is(await sys.api({ api_key: key, action: 'getStatus', id }), 'STATUS_WAIT_CODE', 'the status was taken too');

  // A second forward on the same activation (8… is the domestic way of writing +7…) replaces the first.
  t.is(await sys.api({ api_key: key, action: 'setStatus', id, status: 1, forward: '89031112233' }), 'ACCESS_READY');
  await until('the new number', async () => (sys.lines.simulated!.forwarding(sim!.iccid) === '79031112233' ? true : undefined));
  const { body } = await getJson<{ forwardings: ForwardingJson[] }>(sys, key, `/api/forwardings?phone=${phone}`);
  t.deepEqual(body.forwardings.map((x) => [x.activationId, x.to]), [[Number(id), '79031112233']]);
  // Someone else sees none of it.
  const other = await sys.account();
  t.is((await getJson(sys, other.key, `/api/forwardings/${id}`)).status, 404);
});

test('a forward number that is not Russian, or not a number, is BAD_STATUS and changes nothing; so is forwarding an order made without forward=1', async (t) => {
  const sys = await startTestSystem();
  t.teardown(() => sys.close());
  const { key } = await sys.account();
  const [id] = numberOf(await sys.api({ api_key: key, action: 'getNumber', service: 'av', country: 'ru', forward: 1 }))!;
  for (const bad of ['12345', 'abc', '77011234567', '+380501234567', '7926123456', '792612345678', '+7926-123-45-6x']) {
    t.is(await sys.api({ api_key: key, action: 'setStatus', id, status: 1, forward: bad }), 'BAD_STATUS', bad);
  }
  t.is(await sys.api({ api_key: key, action: 'getStatus', id }), 'STATUS_WAIT_READY', 'the refused request did not take the status');
  t.is((await getJson(sys, key, `/api/forwardings/${id}`)).status, 404, 'nor asked for forwarding');

  const [plain] = numberOf(await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'ru' }))!;
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: plain, status: 1, forward: '79261234567' }), 'BAD_STATUS');
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: 999_999, status: 1, forward: '79261234567' }), 'NO_ACTIVATION');
  // forward=0 is "no forwarding"; a cancel with a number only cancels.
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: plain, status: 1, forward: '0' }), 'ACCESS_READY');
  t.is(await sys.api({ api_key: key, action: 'setStatus', id, status: -1, forward: '79261234567' }), 'ACCESS_CANCEL');
  t.is((await getJson(sys, key, `/api/forwardings/${id}`)).status, 404);
  // An ended activation cannot be forwarded.
  t.is(await sys.api({ api_key: key, action: 'setStatus', id, status: 1, forward: '79261234567' }), 'BAD_STATUS');
});

test('a forwarding left pending by a stopped server is set when the server starts again', async (t) => {
  const first = await startTestSystem();
  const dataDir = first.dataDir;
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { key } = await first.account();
  const [id, phone] = numberOf(await first.api({ api_key: key, action: 'getNumber', service: 'av', country: 'ru', forward: 1 }))!;
  const sim = (await first.store.simByPhone(phone))!;
  const activation = (await first.store.activation(Number(id)))!;
  // As if the server died between storing the request and the network's answer.
  await first.store.saveForwarding({
    activationId: activation.id, accountId: activation.accountId, iccid: sim.iccid, phone, to: '79035556677',
    state: 'pending', error: null, attempts: 0, requestedAt: Date.now(), doneAt: null,
  });
  await first.stop();
  const again = await startTestSystem({ DATA_DIR: dataDir });
  t.teardown(() => again.close());
  t.like(await settled(again, key, id), { state: 'set', to: '79035556677' });
  t.is(again.lines.simulated!.forwarding(sim.iccid), '79035556677');
});

test.serial('over real serial I/O: AT+CCFC on the SIM\'s modem; a SIM the network will not let forward is recorded as failed', async (t) => {
  const sim = await startSimulatorProcess(['--channels', '2', '--slots', '1', '--sim-busy-ms', '100']);
  t.teardown(() => sim.stop());
  const dir = mkdtempSync(join(tmpdir(), 'getsms-modem-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'modems.json');
  // The farm's operator says both ports' tariffs forward; the first SIM's (Ukrainian) network says otherwise.
  writeFileSync(config, JSON.stringify({ [sim.ports[0]!]: { canForward: true }, [sim.ports[1]!]: { canForward: true } }));
  const sys = await startTestSystem({ MODEM_PORTS: sim.ports.join(','), MODEM_CONFIG: config, FORWARDING_RETRY_MS: '200' });
  t.teardown(() => sys.close());
  const cards = await until('both SIMs online', async () => {
    const on = (await sys.store.sims()).filter((s) => s.online && s.canForward);
    return on.length === 2 ? on : undefined;
  }, 60_000);
  const ru = cards.find((c) => c.country === 'ru')!;
  const ua = cards.find((c) => c.country === 'ua')!;
  t.truthy(ru && ua);

  const { key } = await sys.account();
  const counts = JSON.parse(await sys.api({ api_key: key, action: 'getNumbersStatus', country: 'or' })) as Record<string, number>;
  t.is(counts.av_1, 2);
  const orders = [
    numberOf(await sys.api({ api_key: key, action: 'getNumber', service: 'av', country: 'or', forward: 1 }))!,
    numberOf(await sys.api({ api_key: key, action: 'getNumber', service: 'av', country: 'or', forward: 1 }))!,
  ];
  const onRu = orders.find(([, phone]) => phone === ru.phone)!;
  const onUa = orders.find(([, phone]) => phone === ua.phone)!;
  t.truthy(onRu && onUa);
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: onRu[0], status: 1, forward: '+79001234567' }), 'ACCESS_READY');
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: onUa[0], status: 1, forward: '+79001234567' }), 'ACCESS_READY');

  t.like(await settled(sys, key, onRu[0]), { state: 'set', to: '79001234567', error: null });
  const rules = await sim.call<Record<string, { active: boolean; number: string }>>('GET', `/sims/${ru.phone}/forwarding`);
  t.like(rules['0'], { active: true, number: '+79001234567' }, 'reason 0 (unconditional) registered on the network');

  const refused = await settled(sys, key, onUa[0]);
  t.is(refused.state, 'failed');
  t.truthy(refused.error, 'the failure says why');
  t.deepEqual(await sim.call('GET', `/sims/${ua.phone}/forwarding`), {});
});
