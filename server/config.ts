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
  /** Seconds after a number is handed out until the demo responder texts it; 0 = off. */
  simAutoSms: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  tls: { cert: string; key: string; port: number } | undefined;
  /** Requests per second per IP on the gateways; 0 = no limit. */
  rateLimitRps: number;
  /** How long a NO_NUMBERS answer is remembered per account, service and country. */
  noNumbersCacheMs: number;
  activationTtlMs: number;
  /** Host names whose requests speak sms-activate's dialect (hosts-file redirection keeps them). */
  smsActivateHosts: string[];
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
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as Config['logLevel'];
  if (!levels.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${levels.join(', ')}`);
  const cert = env.TLS_CERT?.trim();
  const key = env.TLS_KEY?.trim();
  if (!!cert !== !!key) throw new ConfigError('TLS_CERT and TLS_KEY go together: set both or neither');
  const hosts = list('SMS_ACTIVATE_HOSTS');
  return {
    port: int('PORT', 8080, 0, 65535),
    host: env.HOST?.trim() || '0.0.0.0',
    dataDir: env.DATA_DIR?.trim() || './data',
    mongodbUri: env.MONGODB_URI?.trim() || undefined,
    modemPorts: list('MODEM_PORTS'),
    modemConfig: env.MODEM_CONFIG?.trim() || undefined,
    simModems: int('SIM_MODEMS', 8, 1, 4096),
    simSlots: int('SIM_SLOTS', 4, 1, 64),
    simAutoSms: int('SIM_AUTO_SMS', 0, 0, 86_400),
    logLevel,
    tls: cert && key ? { cert, key, port: int('TLS_PORT', 8443, 0, 65535) } : undefined,
    rateLimitRps: int('RATE_LIMIT_RPS', 50, 0, 1_000_000),
    noNumbersCacheMs: int('NO_NUMBERS_CACHE_SECONDS', 30, 0, 3600) * 1000,
    activationTtlMs: int('ACTIVATION_TTL_SECONDS', 1200, 1, 86_400) * 1000,
    smsActivateHosts: (hosts.length > 0 ? hosts : defaultSmsActivateHosts).map((h) => h.toLowerCase()),
  };
}
