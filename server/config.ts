/**
 * Configuration from environment variables, each with a working default (the
 * README lists them all). A bad value stops start-up with a sentence naming
 * the variable, never a stack trace.
 */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  mongodbUri: string | undefined;
  modemPorts: string[];
  /** A JSON file with per-port options (slots, slot dialect, number USSD); unset = none. */
  modemConfig: string | undefined;
  simModems: number;
  simSlots: number;
  /**
   * Without MODEM_PORTS: `at` = AT modems on pseudo-terminals read through the serial path; `memory` = in-process;
   * `none` = no modems here (another process sharing the store, or agents, bring them).
   */
  simulator: 'at' | 'memory' | 'none';
  /** Other server processes share this store: answers are read through it and their activations and rents are taken up. */
  sharedStore: boolean;
  /** With a shared store: how often this process looks for activations and rents another process stopped advancing. */
  sharedSyncMs: number;
  /** Seconds after a number is handed out until the demo responder texts it; 0 = off. */
  simAutoSms: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  tls: { cert: string; key: string; port: number } | undefined;
  /** Requests per second per IP on the gateways; 0 = no limit. */
  rateLimitRps: number;
  /** How long a NO_NUMBERS answer is remembered per account, service and country. */
  noNumbersCacheMs: number;
  activationTtlMs: number;
  /** How long one rented hour lasts (a rent of N hours ends N × this after it began); shortened only by tests and demos. */
  rentHourMs: number;
  /** Host names whose requests speak sms-activate's dialect (hosts-file redirection keeps them). */
  smsActivateHosts: string[];
  /** The live channel (/ws): heartbeat, slow-consumer bound, event log retention, polling the shared log. */
  live: { heartbeatMs: number; maxBufferBytes: number; retentionMs: number; retentionEvents: number; pollMs: number };
  /** Webhook deliveries: first retry after `retryMs`, doubling; `attempts` in all; each POST given `timeoutMs`. */
  webhooks: { retryMs: number; attempts: number; timeoutMs: number; allowPrivate: boolean };
  /**
   * USSD and call forwarding on sold numbers: how long a balance USSD may take, the back-off after a failed one
   * (the spec's 10 minutes), how long a balance is given again; a forwarding attempt's bound and the wait between attempts.
   */
  lines: { ussdTimeoutMs: number; balanceBackoffMs: number; balanceFreshMs: number; forwardingTimeoutMs: number; forwardingRetryMs: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const defaultSmsActivateHosts = [
  'sms-activate.org', 'api.sms-activate.org', 'sms-activate.ru', 'api.sms-activate.ru', 'sms-activate.io',
  'api.sms-activate.io', 'sms-activate.ae', 'api.sms-activate.ae', 'sms-activate.guru', 'api.sms-activate.guru',
  'sms-activate.world', 'hero-sms.com', 'api.hero-sms.com',
];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
    }
    return n;
  };
  const list = (name: string) =>
    (env[name] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  /** A word from `words`; the first is the default. */
  const oneOf = <W extends string>(name: string, words: readonly [W, ...W[]]): W => {
    const raw = env[name]?.trim() || words[0];
    if (!(words as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${words.join(', ')}, not "${raw}"`);
    return raw as W;
  };
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as Config['logLevel'];
  if (!levels.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${levels.join(', ')}`);
  const cert = env.TLS_CERT?.trim();
  const key = env.TLS_KEY?.trim();
  if (!!cert !== !!key) throw new ConfigError('TLS_CERT and TLS_KEY go together: set both or neither');
  const hosts = list('SMS_ACTIVATE_HOSTS');
  const mongodbUri = env.MONGODB_URI?.trim() || undefined;
  // Several processes are what MongoDB is for; SQLite's file can be shared by processes on one box when asked.
  const sharedStore = oneOf('SHARED_STORE', mongodbUri ? (['on', 'off'] as const) : (['off', 'on'] as const)) === 'on';
  return {
    port: int('PORT', 8080, 0, 65535),
    host: env.HOST?.trim() || '0.0.0.0',
    dataDir: env.DATA_DIR?.trim() || './data',
    mongodbUri,
    modemPorts: list('MODEM_PORTS'),
    modemConfig: env.MODEM_CONFIG?.trim() || undefined,
    simModems: int('SIM_MODEMS', 8, 1, 4096),
    simSlots: int('SIM_SLOTS', 4, 1, 64),
    simulator: oneOf('SIMULATOR', ['at', 'memory', 'none'] as const),
    sharedStore,
    sharedSyncMs: int('SHARED_SYNC_MS', 2_000, 100, 600_000),
    simAutoSms: int('SIM_AUTO_SMS', 0, 0, 86_400),
    logLevel,
    tls: cert && key ? { cert, key, port: int('TLS_PORT', 8443, 0, 65535) } : undefined,
    rateLimitRps: int('RATE_LIMIT_RPS', 50, 0, 1_000_000),
    noNumbersCacheMs: int('NO_NUMBERS_CACHE_SECONDS', 30, 0, 3600) * 1000,
    activationTtlMs: int('ACTIVATION_TTL_SECONDS', 1200, 1, 86_400) * 1000,
    rentHourMs: int('RENT_HOUR_MS', 3_600_000, 10, 3_600_000),
    smsActivateHosts: (hosts.length > 0 ? hosts : defaultSmsActivateHosts).map((h) => h.toLowerCase()),
    live: {
      heartbeatMs: int('LIVE_HEARTBEAT_MS', 30_000, 20, 3_600_000),
      maxBufferBytes: int('LIVE_MAX_BUFFER_KB', 1024, 1, 1_048_576) * 1024,
      retentionMs: int('LIVE_RETENTION_DAYS', 7, 1, 3650) * 86_400_000,
      retentionEvents: int('LIVE_RETENTION_EVENTS', 1_000_000, 1000, 1_000_000_000),
      pollMs: int('LIVE_POLL_MS', 1000, 10, 60_000),
    },
    webhooks: {
      retryMs: int('WEBHOOK_RETRY_MS', 30_000, 10, 86_400_000),
      attempts: int('WEBHOOK_ATTEMPTS', 8, 1, 100),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 300_000),
      // SSRF: webhooks may reach loopback, private and link-local addresses only when an operator says so.
      allowPrivate: /^(1|true|yes)$/i.test(env.WEBHOOK_ALLOW_PRIVATE?.trim() ?? ''),
    },
    lines: {
      ussdTimeoutMs: int('USSD_TIMEOUT_MS', 40_000, 100, 600_000),
      balanceBackoffMs: int('NUMBER_BALANCE_BACKOFF_MS', 600_000, 0, 86_400_000),
      balanceFreshMs: int('NUMBER_BALANCE_FRESH_MS', 60_000, 0, 86_400_000),
      forwardingTimeoutMs: int('FORWARDING_TIMEOUT_MS', 30_000, 100, 600_000),
      forwardingRetryMs: int('FORWARDING_RETRY_MS', 5_000, 10, 3_600_000),
    },
  };
}
