import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestSystem } from '../helpers/system.ts';

test('with TLS_CERT and TLS_KEY the gateway answers over https too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=api.sms-activate.org',
  ], { stdio: 'ignore' });
  const sys = await startTestSystem({ TLS_CERT: cert, TLS_KEY: key, TLS_PORT: '0' });
  t.teardown(() => sys.close());
  const { key: apiKey } = await sys.account({ rubles: 12.5 });
  const body = await new Promise<string>((resolve, reject) => {
    const r = request(
      {
        host: '127.0.0.1', port: sys.tlsPort, path: `/stubs/handler_api.php?api_key=${apiKey}&action=getBalance`,
        rejectUnauthorized: false, servername: 'api.sms-activate.org',
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      },
    );
    r.on('error', reject);
    r.end();
  });
  t.is(body, 'ACCESS_BALANCE:12.50');
});
