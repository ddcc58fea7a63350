import test from 'ava';
import { startTestSystem } from '../../helpers/system.ts';

test('a getsms client buys a number, receives the code and finishes', async (t) => {
  const sys = await startTestSystem();
  t.teardown(() => sys.close());
  const { key } = await sys.account({ rubles: 100 });
  const got = await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'ru' });
  const m = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(got);
  t.truthy(m, got);
  const [, id, phone] = m!;
  t.is(await sys.api({ api_key: key, action: 'getStatus', id: id! }), 'STATUS_WAIT_READY');
  t.is(await sys.api({ api_key: key, action: 'getStatus', id: id! }, { host: 'api.sms-activate.org' }), 'STATUS_WAIT_CODE');
});
