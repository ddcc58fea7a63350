import test from 'ava';
import { ConfigError, loadConfig } from '../../server/config.ts';

test('every setting has a working default', (t) => {
  const c = loadConfig({});
  t.like(c, {
    port: 8080, host: '0.0.0.0', dataDir: './data', mongodbUri: undefined, modemPorts: [], simModems: 8, simSlots: 4,
    simulator: 'at', simAutoSms: 0, logLevel: 'info', tls: undefined, rateLimitRps: 50, noNumbersCacheMs: 30_000, activationTtlMs: 1_200_000,
    rentHourMs: 3_600_000,
  });
  t.true(c.smsActivateHosts.includes('api.sms-activate.org'));
});

test('lists are comma-separated and trimmed', (t) => {
  const c = loadConfig({ MODEM_PORTS: '/dev/ttyUSB0@115200, /dev/ttyUSB1 ,', SMS_ACTIVATE_HOSTS: 'A.example, b.example' });
  t.deepEqual(c.modemPorts, ['/dev/ttyUSB0@115200', '/dev/ttyUSB1']);
  t.deepEqual(c.smsActivateHosts, ['a.example', 'b.example']);
});

test('a bad value is refused with a sentence naming the variable', (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), { instanceOf: ConfigError, message: /PORT must be a whole number/ });
  t.throws(() => loadConfig({ SIM_SLOTS: '0' }), { instanceOf: ConfigError, message: /SIM_SLOTS/ });
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), { instanceOf: ConfigError, message: /LOG_LEVEL/ });
  t.throws(() => loadConfig({ SIMULATOR: 'serial' }), { instanceOf: ConfigError, message: /SIMULATOR must be one of at, memory/ });
  t.is(loadConfig({ SIMULATOR: ' memory ' }).simulator, 'memory');
  t.throws(() => loadConfig({ TLS_CERT: 'cert.pem' }), { instanceOf: ConfigError, message: /TLS_CERT and TLS_KEY/ });
});

test('TLS is on when both files are given', (t) => {
  t.deepEqual(loadConfig({ TLS_CERT: 'c.pem', TLS_KEY: 'k.pem', TLS_PORT: '443' }).tls, { cert: 'c.pem', key: 'k.pem', port: 443 });
});
