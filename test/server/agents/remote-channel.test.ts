import test from 'ava';
import type { IncomingSms } from '../../../modems/index.ts';
import { AgentCallError, RemoteChannel, type AgentLink } from '../../../server/agents/index.ts';

const sms: IncomingSms = { iccid: '8970001', from: 'Telegram', text: 'Telegram code: 12345', receivedAt: 1, fingerprint: 'f'.repeat(64) };

/** A link that records calls and answers them from a table. */
function link(answers: Partial<Record<string, (args: unknown) => unknown>> = {}) {
  const calls: string[] = [];
  const l: AgentLink & { calls: string[] } = {
    calls,
    async call(c) {
      calls.push(`${c.channel}:${c.op}`);
      return answers[c.op]?.(c.args);
    },
  };
  return l;
}

test('its id names the host; calls go to the agent under the local id', async (t) => {
  const ch = new RemoteChannel('rack-1', 'ttyUSB0');
  t.is(ch.id, 'rack-1/ttyUSB0');
  t.is(ch.host, 'rack-1');
  const l = link({ register: () => ({ registered: true, operator: 'MTS', signalDbm: -70 }) });
  ch.attach(l);
  await ch.open();
  t.deepEqual(await ch.register(), { registered: true, operator: 'MTS', signalDbm: -70 });
  t.deepEqual(l.calls, ['ttyUSB0:open', 'ttyUSB0:register']);
});

test('open waits while the agent is away and goes on when it is back; other calls fail at once with AGENT_OFFLINE', async (t) => {
  const ch = new RemoteChannel('rack-1', 'sim-001');
  let opened = false;
  const opening = ch.open().then(() => (opened = true));
  const err = await t.throwsAsync(ch.initialise());
  t.is((err as AgentCallError).code, 'AGENT_OFFLINE');
  await new Promise((r) => setImmediate(r));
  t.false(opened);
  const l = link();
  ch.attach(l);
  await opening;
  t.deepEqual(l.calls, ['sim-001:open']);
});

test('a lost link says "agent offline"; a stale link going changes nothing', async (t) => {
  const ch = new RemoteChannel('rack-1', 'sim-001');
  const lost: string[] = [];
  ch.on('lost', (reason) => lost.push(reason));
  const old = link();
  const fresh = link();
  ch.attach(old);
  ch.attach(fresh);
  ch.detach(old);
  t.deepEqual(lost, [], 'the newer link stands');
  ch.detach(fresh);
  t.deepEqual(lost, ['agent offline']);
  t.false(ch.online);
});

test('an SMS is stored through the sweep it belongs to, and only while that sweep runs', async (t) => {
  const ch = new RemoteChannel('rack-1', 'sim-001');
  let sweepId = '';
  let finish: (n: number) => void = () => {};
  ch.attach(link({ sweep: (args) => { sweepId = (args as { sweep: string }).sweep; return new Promise((r) => (finish = r)); } }));
  const stored: IncomingSms[] = [];
  const sweeping = ch.sweep('8970001', async (s) => { stored.push(s); });
  await new Promise((r) => setImmediate(r));
  t.deepEqual(await ch.receive('no-such-sweep', sms), { stored: false });
  t.deepEqual(await ch.receive(sweepId, sms), { stored: true });
  finish(1);
  t.is(await sweeping, 1);
  t.deepEqual(stored, [sms]);
  t.deepEqual(await ch.receive(sweepId, sms), { stored: false }, 'the sweep is over: the agent keeps it for the next');
});

test('a store that fails is no ack', async (t) => {
  const ch = new RemoteChannel('rack-1', 'sim-001');
  let sweepId = '';
  ch.attach(link({ sweep: (args) => { sweepId = (args as { sweep: string }).sweep; return new Promise(() => {}); } }));
  void ch.sweep('8970001', async () => { throw new Error('disk full'); });
  await new Promise((r) => setImmediate(r));
  await t.throwsAsync(ch.receive(sweepId, sms), { message: 'disk full' });
});
