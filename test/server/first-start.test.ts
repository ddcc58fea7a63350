import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/process.ts';
import { startTestSystem } from '../helpers/system.ts';

test('the first start prints the URL, both API keys and a curl that really buys a number', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'getsms-first-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await startServerProcess({ DATA_DIR: dataDir });
  t.teardown(() => server.stop());
  t.regex(server.adminKey ?? '', /^[0-9a-f]{32}$/);
  t.regex(server.demoKey ?? '', /^[0-9a-f]{32}$/);
  const curl = /curl '([^']+)'/.exec(server.output())?.[1];
  t.truthy(curl, server.output());
  const answer = await (await fetch(curl!)).text();
  t.regex(answer, /^ACCESS_NUMBER:\d+:7\d{10}$/);
  const balance = await (await fetch(`${server.url}/stubs/handler_api.php?api_key=${server.demoKey}&action=getBalance`)).text();
  t.is(balance, 'ACCESS_BALANCE:975.00', 'the demo user starts with 1000 rubles and paid 25 for Telegram');
});

test('SIM_AUTO_SMS: the demo responder texts each new number a code for its service', async (t) => {
  const sys = await startTestSystem({ SIM_AUTO_SMS: '1' });
  t.teardown(() => sys.close());
  const { key } = await sys.account();
  const [, id] = (await sys.api({ api_key: key, action: 'getNumber', service: 'wa', country: 'or' })).split(':');
  let status = '';
  for (let i = 0; i < 60 && !status.startsWith('STATUS_OK'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = await sys.api({ api_key: key, action: 'getStatus', id: id! });
  }
  t.regex(status, /^STATUS_OK:\d{6}$/);
  const full = await sys.api({ api_key: key, action: 'getFullSms', id: id! }, { host: 'api.sms-activate.org' });
  t.regex(full, /^FULL_SMS:Your WhatsApp code: \d{3}-\d{3}/);
});
