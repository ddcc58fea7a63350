import test from 'ava';
import { agentTokenHash } from '../../../server/agents/index.ts';
import { httpRequest, startTestSystem, type TestSystem } from '../../helpers/system.ts';

let sys: TestSystem;

test.before(async () => {
  sys = await startTestSystem();
});
test.after.always(() => sys.close());

async function api(method: string, path: string, key: string, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  const res = await httpRequest(sys.url, { method, path, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: res.body, json: (res.body ? JSON.parse(res.body) : {}) as Record<string, any> };
}

test('an admin makes a token shown once, sees it listed without its secret, and revokes it', async (t) => {
  const { key } = await sys.account({ role: 'admin' });
  const made = await api('POST', '/api/admin/agent-tokens', key, { name: 'rack-api-1' });
  t.is(made.status, 201);
  t.like(made.json, { name: 'rack-api-1' });
  t.regex(made.json.token, /^[0-9a-f]{64}$/, 'as the CLI makes it: 32 random bytes, hex');
  const stored = (await sys.store.agentTokens()).find((a) => a.name === 'rack-api-1')!;
  t.is(stored.tokenHash, agentTokenHash(made.json.token), 'the store keeps only its SHA-256');
  t.like(await sys.store.agentByTokenHash(agentTokenHash(made.json.token)), { name: 'rack-api-1' });

  const listed = await api('GET', '/api/admin/agent-tokens', key);
  t.is(listed.status, 200);
  t.deepEqual(listed.json.tokens.find((a: any) => a.name === 'rack-api-1'), {
    name: 'rack-api-1', createdAt: made.json.createdAt, revokedAt: null,
  });
  t.false(listed.body.includes(made.json.token), 'the token is never listed');
  t.false(listed.body.includes(stored.tokenHash), 'nor its hash');

  const again = await api('POST', '/api/admin/agent-tokens', key, { name: 'rack-api-1' });
  t.is(again.status, 409, 'a name with a working token gets no second one');
  t.is(again.json.code, 'agentTaken');

  const revoked = await api('DELETE', '/api/admin/agent-tokens/rack-api-1', key);
  t.is(revoked.status, 200);
  t.is(await sys.store.agentByTokenHash(agentTokenHash(made.json.token)), undefined, 'the token stops working');
  const after = (await api('GET', '/api/admin/agent-tokens', key)).json.tokens.find((a: any) => a.name === 'rack-api-1');
  t.truthy(after.revokedAt);
  t.is((await api('DELETE', '/api/admin/agent-tokens/rack-api-1', key)).status, 404, 'revoked already: nothing works to revoke');

  const renewed = await api('POST', '/api/admin/agent-tokens', key, { name: 'rack-api-1' });
  t.is(renewed.status, 201, 'a revoked name may be given a new token');
  t.not(renewed.json.token, made.json.token);
});

test('bad names are 422, unknown agents 404, and only admins get in', async (t) => {
  const admin = await sys.account({ role: 'admin' });
  const operator = await sys.account({ role: 'operator' });
  const user = await sys.account();
  for (const name of ['', 'has/slash', 'has space', 'x'.repeat(33), 42]) {
    const r = await api('POST', '/api/admin/agent-tokens', admin.key, { name });
    t.is(r.status, 422, `name ${JSON.stringify(name)}`);
    t.is(r.json.code, 'badAgentName');
  }
  t.is((await api('POST', '/api/admin/agent-tokens', admin.key)).status, 422, 'no body');
  t.is((await api('DELETE', '/api/admin/agent-tokens/nobody-here', admin.key)).status, 404);
  for (const who of [operator, user]) {
    t.is((await api('GET', '/api/admin/agent-tokens', who.key)).status, 403);
    t.is((await api('POST', '/api/admin/agent-tokens', who.key, { name: 'rack-api-2' })).status, 403);
    t.is((await api('DELETE', '/api/admin/agent-tokens/rack-api-2', who.key)).status, 403);
  }
  t.false((await sys.store.agentTokens()).some((a) => a.name === 'rack-api-2'), 'a refused caller made nothing');
});
