import { AtError, type AtErrorMeaning } from './errors.ts';
import { argsOf, fields, int, isHex } from './fields.ts';

/**
 * Answers into typed values: each `read` takes a command's information lines
 * (echo and final code already removed) and finds the line it knows, so a
 * vendor's extra line does not upset it. A value the answer must carry but
 * does not throws AtError `AT_ANSWER`; a value that may be absent is undefined.
 */

type Lines = readonly string[];

function answerError(what: string, lines: Lines): AtError {
  return new AtError('AT_ANSWER', `no ${what} in the answer ${JSON.stringify(lines)}`, { line: lines.join('\n') });
}

function firstArgs(lines: Lines, prefixes: readonly string[]): string | undefined {
  for (const line of lines) for (const p of prefixes) {
    const args = argsOf(line, p);
    if (args !== undefined) return args;
  }
  return undefined;
}

// AT+CCID (27.007 has none; SIM800, Quectel), AT+ICCID (Telit, u-blox…), AT+QCCID (Quectel),
// AT+CICCID answers `+ICCID:` (SIMCom SIM7600/A76xx), Huawei's `^ICCID:`; SIM800 prints bare digits.
const iccidPrefixes = ['+CCID:', '+ICCID:', '+QCCID:', '^ICCID:'];

/** The SIM's ICCID, 18–20 digits: prefix, quotes and the trailing `F` padding removed. */
export function iccid(lines: Lines): string {
  for (const line of lines) {
    const crsm = argsOf(line, '+CRSM:');
    const raw = crsm !== undefined ? fromEfIccid(crsm) : stripPrefix(line, iccidPrefixes);
    const digits = raw.replace(/"/g, '').trim().replace(/F+$/i, '');
    if (/^\d{18,20}$/.test(digits)) return digits;
  }
  throw answerError('ICCID', lines);
}

function stripPrefix(line: string, prefixes: readonly string[]): string {
  for (const p of prefixes) if (line.startsWith(p)) return line.slice(p.length);
  return line;
}

/** `+CRSM: 144,0,"98…"`: EF_ICCID read raw (TS 51.011 §10.1.1) stores BCD with swapped nibbles. */
function fromEfIccid(args: string): string {
  const [sw1, , data = ''] = fields(args);
  if (sw1 !== '144') return '';
  return data.replace(/(.)(.)/g, '$2$1');
}

/** The SIM's IMSI: 15 digits (MCC + MNC + MSIN, ITU-T E.212). Some modems prefix `+CIMI:`. */
export function imsi(lines: Lines): string {
  for (const line of lines) {
    const digits = stripPrefix(line, ['+CIMI:']).replace(/"/g, '').trim();
    if (/^\d{15}$/.test(digits)) return digits;
  }
  throw answerError('IMSI', lines);
}

/**
 * The SIM's own number from `+CNUM: "","+79161234567",145`, or undefined: many
 * operators never write it to the SIM (the fall-backs: USSD, then an
 * operator types it). Type 145 is international; its number always gets a `+`.
 */
export function ownNumber(lines: Lines): string | undefined {
  for (const line of lines) {
    const args = argsOf(line, '+CNUM:');
    if (args === undefined) continue;
    const [, number = '', type] = fields(args);
    if (number === '') continue;
    return int(type) === 145 && !number.startsWith('+') ? `+${number}` : number;
  }
  return undefined;
}

/** The network the modem is on, from `+COPS: <mode>[,<format>,<oper>[,<AcT>]]`. */
export interface Operator {
  mode: number;
  format: 'long' | 'short' | 'numeric';
  /** `MegaFon`, or `25002` in the numeric format. */
  name: string;
  /** Access technology, 27.007 §7.3: 0 GSM, 2 UTRAN, 7 E-UTRAN … */
  act?: number;
}

const operatorFormats = ['long', 'short', 'numeric'] as const;

/** The operator, or undefined when the modem is on no network (`+COPS: 0`). */
export function operator(lines: Lines): Operator | undefined {
  const args = firstArgs(lines, ['+COPS:']);
  if (args === undefined) throw answerError('+COPS', lines);
  const [mode, format, name = '', act] = fields(args);
  const f = operatorFormats[int(format) ?? -1];
  if (f === undefined || name === '') return undefined;
  const a = int(act);
  return { mode: int(mode) ?? 0, format: f, name, ...(a === undefined ? {} : { act: a }) };
}

/** Network registration, from `+CREG:`/`+CGREG:`/`+CEREG:`. */
export interface Registration {
  stat: number;
  state: RegistrationState;
  /** Registered (home, roaming or SMS-only): SMS can arrive. */
  registered: boolean;
  roaming: boolean;
  lac?: string;
  ci?: string;
  act?: number;
}

export type RegistrationState =
  | 'idle' | 'home' | 'searching' | 'denied' | 'unknown' | 'roaming' | 'smsOnlyHome' | 'smsOnlyRoaming' | 'emergencyOnly';

/** `<stat>` of 27.007 §7.2; 6/7 ("SMS only", E-UTRAN) still receive SMS, which is all a SIM farm needs. */
const registrationStates: Readonly<Record<number, [RegistrationState, registered: boolean, roaming: boolean]>> = {
  0: ['idle', false, false],
  1: ['home', true, false],
  2: ['searching', false, false],
  3: ['denied', false, false],
  4: ['unknown', false, false],
  5: ['roaming', true, true],
  6: ['smsOnlyHome', true, false],
  7: ['smsOnlyRoaming', true, true],
  8: ['emergencyOnly', false, false],
};

/** A registration from its fields: `stat[,lac,ci[,act]]` (unsolicited) or `n,stat[,…]` (answer to `?`). */
export function registrationOf(list: readonly string[], solicited: boolean): Registration | undefined {
  const [stat, lac, ci, act] = solicited ? list.slice(1) : list;
  const n = int(stat);
  if (n === undefined) return undefined;
  const [state, registered, roaming] = registrationStates[n] ?? ['unknown', false, false];
  const a = int(act);
  return {
    stat: n, state, registered, roaming,
    ...(lac ? { lac } : {}), ...(ci ? { ci } : {}), ...(a === undefined ? {} : { act: a }),
  };
}

/** The answer to `AT+CREG?` (also `+CGREG?`, `+CEREG?`): `+CREG: 0,1` is registered, home. */
export function registration(lines: Lines): Registration {
  const args = firstArgs(lines, ['+CREG:', '+CGREG:', '+CEREG:']);
  const reg = args === undefined ? undefined : registrationOf(fields(args), true);
  if (!reg) throw answerError('+CREG', lines);
  return reg;
}

/** Signal from `+CSQ: <rssi>,<ber>`: rssi 0–31 is −113…−51 dBm (27.007 §8.5); 99 is unknown. */
export interface Signal {
  rssi: number;
  dbm?: number;
  ber?: number;
}

export function signal(lines: Lines): Signal {
  const args = firstArgs(lines, ['+CSQ:']);
  const [rssi, ber] = args === undefined ? [] : fields(args);
  const r = int(rssi);
  if (r === undefined) throw answerError('+CSQ', lines);
  const b = int(ber);
  return {
    rssi: r,
    ...(r <= 31 ? { dbm: -113 + 2 * r } : {}),
    ...(b !== undefined && b <= 7 ? { ber: b } : {}),
  };
}

/** `+CPIN: <code>`: READY, or what the SIM waits for. */
export interface PinState {
  code: string;
  ready: boolean;
  /** What a code other than READY means for the channel. */
  meaning?: AtErrorMeaning;
}

// 27.007 §8.3 codes; NOT INSERTED / NOT READY are SIM800's and Quectel's answers instead of +CME ERROR: 10/14.
const pinMeanings: Readonly<Record<string, AtErrorMeaning>> = {
  'SIM PIN': 'simLocked',
  'PH-SIM PIN': 'simLocked',
  'PH-NET PIN': 'simLocked',
  'SIM PUK': 'simBlocked',
  'NOT INSERTED': 'simMissing',
  'NOT READY': 'simBusy',
};

export function pin(lines: Lines): PinState {
  const args = firstArgs(lines, ['+CPIN:']);
  if (args === undefined) throw answerError('+CPIN', lines);
  const code = args.replace(/"/g, '').trim().toUpperCase();
  const meaning = pinMeanings[code];
  return { code, ready: code === 'READY', ...(meaning ? { meaning } : {}) };
}

/** One message storage of `+CPMS`: `SM` (SIM), `ME` (modem), `MT` (both). */
export interface Storage {
  mem: string;
  used: number;
  total: number;
}

/** `+CPMS: <mem1>,<used1>,<total1>,<mem2>,…,<mem3>,…`: where messages are read, written, received. */
export interface MessageStorage {
  read: Storage;
  write?: Storage;
  receive?: Storage;
}

export function messageStorage(lines: Lines): MessageStorage {
  const args = firstArgs(lines, ['+CPMS:']);
  const list = args === undefined ? [] : fields(args);
  // The 3-storage query form names each memory; the set answer (`+CPMS: 5,50,5,50,5,50`) does not.
  const named = int(list[0]) === undefined;
  const size = named ? 3 : 2;
  const stores: Storage[] = [];
  for (let i = 0; i + size <= list.length; i += size) {
    const [mem, used, total] = named ? list.slice(i, i + 3) : ['', ...list.slice(i, i + 2)];
    const u = int(used);
    const t = int(total);
    if (mem === undefined || u === undefined || t === undefined) break;
    stores.push({ mem, used: u, total: t });
  }
  const [read, write, receive] = stores;
  if (!read) throw answerError('+CPMS', lines);
  return { read, ...(write ? { write } : {}), ...(receive ? { receive } : {}) };
}

/** A message the modem stores, in PDU mode: `stat` 0 unread, 1 read, 2 unsent, 3 sent (27.005 §3.1). */
export interface StoredPdu {
  index: number;
  stat: number;
  /** TPDU length in octets, as the modem gave it (the hex also carries the SMSC address). */
  length: number;
  pdu: string;
}

/**
 * `+CMGL: <index>,<stat>,[<alpha>],<length>` each followed by its PDU line.
 * The `<alpha>` field may be missing altogether (ModemManager's Pantech test),
 * so `<length>` is the last field. A header not followed by a hex line is skipped.
 */
export function storedPdus(lines: Lines): StoredPdu[] {
  const out: StoredPdu[] = [];
  for (let i = 0; i < lines.length; i++) {
    const args = argsOf(lines[i]!, '+CMGL:');
    const pdu = lines[i + 1];
    if (args === undefined || pdu === undefined || !isHex(pdu)) continue;
    const list = fields(args);
    const [index, stat, length] = [int(list[0]), int(list[1]), int(list[list.length - 1])];
    if (index === undefined || stat === undefined || length === undefined || list.length < 3) continue;
    out.push({ index, stat, length, pdu: pdu.toUpperCase() });
    i++;
  }
  return out;
}

/** `+CMGR: <stat>,[<alpha>],<length>` and its PDU line; undefined for an empty index. */
export function storedPdu(lines: Lines): Omit<StoredPdu, 'index'> | undefined {
  for (let i = 0; i < lines.length; i++) {
    const args = argsOf(lines[i]!, '+CMGR:');
    const pdu = lines[i + 1];
    if (args === undefined || pdu === undefined || !isHex(pdu)) continue;
    const list = fields(args);
    const [stat, length] = [int(list[0]), int(list[list.length - 1])];
    if (stat === undefined || length === undefined || length === 0 || list.length < 2) continue;
    return { stat, length, pdu: pdu.toUpperCase() };
  }
  return undefined;
}
