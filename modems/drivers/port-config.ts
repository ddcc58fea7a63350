import { readFileSync } from 'node:fs';
import type { SlotDialect } from '../channel.ts';

/** What a farm's config file may say about one port (MODEM_CONFIG). */
export interface PortOptions {
  /** How many SIM slots the channel has (1 when unset). */
  slots?: number;
  /** How this hardware switches slots. */
  slotDialect?: SlotDialect;
  /** The operator's USSD code that answers with the SIM's own number, for SIMs whose AT+CNUM is empty. */
  numberUssd?: string;
  /** The SIMs on this port may forward calls (AT+CCFC): they are sold for orders with forward=1. */
  canForward?: boolean;
}

const dialects: readonly SlotDialect[] = ['csus', 'quimslot', 'smsimcfg'];

/** A config error names the file and the port; the server refuses to start with it. */
export class PortConfigError extends Error {
  override name = 'PortConfigError';
}

/**
 * Reads the per-port config file: a JSON object keyed by port path, e.g.
 * `{"/dev/ttyUSB0": {"slots": 4, "slotDialect": "quimslot", "numberUssd": "*111*0887#"}}`.
 */
export function loadPortConfig(file: string): Map<string, PortOptions> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PortConfigError(`MODEM_CONFIG ${file}: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PortConfigError(`MODEM_CONFIG ${file}: expected an object keyed by port path`);
  }
  const config = new Map<string, PortOptions>();
  for (const [path, value] of Object.entries(raw)) config.set(path, portOptions(file, path, value));
  return config;
}

function portOptions(file: string, path: string, value: unknown): PortOptions {
  const bad = (what: string) => new PortConfigError(`MODEM_CONFIG ${file}, port ${path}: ${what}`);
  if (value === null || typeof value !== 'object') throw bad('expected an object');
  const { slots, slotDialect, numberUssd, canForward, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw bad(`unknown setting ${unknown.join(', ')} (known: slots, slotDialect, numberUssd, canForward)`);
  if (canForward !== undefined && typeof canForward !== 'boolean') throw bad('"canForward" must be true or false');
  if (slots !== undefined && (!Number.isInteger(slots) || (slots as number) < 1 || (slots as number) > 64)) {
    throw bad('"slots" must be a whole number from 1 to 64');
  }
  if (slotDialect !== undefined && !dialects.includes(slotDialect as SlotDialect)) {
    throw bad(`"slotDialect" must be one of ${dialects.join(', ')}`);
  }
  if (numberUssd !== undefined && (typeof numberUssd !== 'string' || !/^[0-9*#]{2,32}$/.test(numberUssd))) {
    throw bad('"numberUssd" must be a USSD code such as *111*0887#');
  }
  return {
    ...(slots === undefined ? {} : { slots: slots as number }),
    ...(slotDialect === undefined ? {} : { slotDialect: slotDialect as SlotDialect }),
    ...(numberUssd === undefined ? {} : { numberUssd: numberUssd as string }),
    ...(canForward === undefined ? {} : { canForward: canForward as boolean }),
  };
}

/** The first phone number in a USSD reply ("Ваш номер +79261234567"), digits only, or undefined. */
export function numberIn(reply: string): string | undefined {
  return /\+?(\d{10,15})/.exec(reply.replace(/[\s()-]/g, ''))?.[1];
}
