import { cmeErrors, cmsErrors, errorNumber } from './errors.ts';
import { argsOf, fields, int, isHex, openQuote } from './fields.ts';
import { registrationOf, type Registration } from './reads.ts';

/**
 * What a line from the modem is: a final result code that ends a command, an
 * unsolicited result code (URC) that belongs to no command, or an information
 * line of the command in flight. Both lists are tables (STYLE §4).
 */

/** A final result code (27.007 §5.7, 27.005 §3.2.5): the end of a command's answer. */
export type FinalResult =
  | { type: 'ok' }
  | { type: 'error'; line: string }
  | { type: 'cme' | 'cms'; n: number | undefined; line: string };

// V.250 §5.7.1 words that end a command. COMMAND NOT SUPPORT is what some SIMCom
// and Chinese clone firmwares print for an unknown command instead of ERROR.
const finalWords: Readonly<Record<string, 'ok' | 'error'>> = {
  OK: 'ok',
  ERROR: 'error',
  'NO CARRIER': 'error',
  BUSY: 'error',
  'NO ANSWER': 'error',
  'NO DIALTONE': 'error',
  'COMMAND NOT SUPPORT': 'error',
};

/** The final result code a line is, if it is one. `+CME ERROR: SIM not inserted` (AT+CMEE=2) gets its number back. */
export function finalResult(line: string): FinalResult | undefined {
  const word = line.trim();
  const type = finalWords[word];
  if (type === 'ok') return { type };
  if (type === 'error') return { type, line: word };
  for (const [prefix, kind, table] of [['+CME ERROR:', 'cme', cmeErrors], ['+CMS ERROR:', 'cms', cmsErrors]] as const) {
    const args = argsOf(word, prefix);
    if (args !== undefined) return { type: kind, n: int(args) ?? errorNumber(table, args), line: word };
  }
  return undefined;
}

/** An unsolicited result code, parsed. `noise` is vendor chatter worth a log line, nothing more. */
export type Urc =
  | { type: 'sms.stored'; storage: string; index: number } //            +CMTI: "SM",3
  | { type: 'sms.pushed'; length: number | undefined; pdu: string } //   +CMT: ,24 ⏎ <pdu>
  | { type: 'report.stored'; storage: string; index: number } //         +CDSI: "SM",4
  | { type: 'report.pushed'; length: number | undefined; pdu: string } //+CDS: 26 ⏎ <pdu>
  | { type: 'ussd'; m: number; text: string | undefined; dcs: number | undefined } // +CUSD: 0,"…",15
  | ({ type: 'registration'; of: 'CREG' | 'CGREG' | 'CEREG' } & Registration) // +CREG: 1
  | { type: 'ring' } //                                                  RING, +CRING: VOICE
  | { type: 'caller'; number: string; numberType: number | undefined } // +CLIP: "+7916…",145
  | { type: 'sim.status'; ready: boolean } //                           +CPIN: NOT INSERTED, ^SIMST: 255
  | { type: 'noise'; line: string };

/** One row of the URC table: a line prefix and how to read what follows it. */
export interface UrcRow {
  prefix: string;
  /** Lines so far still need another (a two-line URC: `+CMT:` then its PDU). */
  open?: (lines: readonly string[]) => boolean;
  /** Whether `line` can continue this URC; if not, the URC ends where it is. */
  takes?: (line: string) => boolean;
  /** For a prefix that is also an answer (`+CREG: 0,1` to AT+CREG?): whether these arguments are the answer. */
  solicited?: (args: string) => boolean;
  parse: (lines: readonly string[]) => Urc;
}

const noise = (lines: readonly string[]): Urc => ({ type: 'noise', line: lines.join('\n') });

function stored(type: 'sms.stored' | 'report.stored', prefix: string): UrcRow['parse'] {
  return (lines) => {
    const [storage = '', index] = fields(argsOf(lines[0]!, prefix) ?? '');
    const i = int(index);
    return i === undefined ? noise(lines) : { type, storage, index: i };
  };
}

/** `+CMT: [<alpha>],<length>` ⏎ `<pdu>` (27.005 §3.4.1, PDU mode): the PDU line belongs to the URC. */
function pushed(type: 'sms.pushed' | 'report.pushed', prefix: string): Pick<UrcRow, 'open' | 'takes' | 'parse'> {
  return {
    open: (lines) => lines.length < 2,
    takes: isHex,
    parse: (lines) => {
      const [header = '', pdu] = lines;
      if (pdu === undefined) return noise(lines);
      const list = fields(argsOf(header, prefix) ?? '');
      return { type, length: int(list[list.length - 1]), pdu: pdu.toUpperCase() };
    },
  };
}

function registration(of: 'CREG' | 'CGREG' | 'CEREG'): UrcRow {
  const prefix = `+${of}:`;
  return {
    prefix,
    // The answer to AT+CREG? starts `<n>,<stat>`, two bare numbers; the URC starts `<stat>`, then quoted LAC.
    solicited: (args) => /^\d+\s*,\s*\d+/.test(args),
    parse: (lines) => {
      const reg = registrationOf(fields(argsOf(lines[0]!, prefix) ?? ''), false);
      return reg ? { type: 'registration', of, ...reg } : noise(lines);
    },
  };
}

// USSD text in GSM/IRA mode may hold line breaks inside its quotes (Huawei, ZTE); keep
// taking lines until the quote closes, but no more than this many.
const maxUssdLines = 16;

const noiseRow = (prefix: string): UrcRow => ({ prefix, parse: noise });

/**
 * A SIM pulled or put back, as the modem says it at once (27.007 §8.3 `+CPIN:` as a URC; Huawei's `^SIMST:`,
 * where 255 is "no SIM" and 0 "invalid"): the channel reads its slot again instead of finding out at the next
 * sweep, half a minute later, while the SIM could still be sold.
 */
const simStatusRows: UrcRow[] = [
  { prefix: '+CPIN:', parse: (lines) => ({ type: 'sim.status', ready: (argsOf(lines[0]!, '+CPIN:') ?? '').trim() === 'READY' }) },
  {
    prefix: '^SIMST:',
    parse: (lines) => {
      const status = Number(fields(argsOf(lines[0]!, '^SIMST:') ?? '')[0]);
      return Number.isInteger(status) ? { type: 'sim.status', ready: status !== 255 && status !== 0 } : noise(lines);
    },
  },
];

/** Every URC getsms recognises; a driver may add its vendor's rows. Longer prefixes never hide behind shorter ones: each ends in `:` or is a whole word. */
export const urcTable: readonly UrcRow[] = [
  { prefix: '+CMTI:', parse: stored('sms.stored', '+CMTI:') },
  { prefix: '+CMT:', ...pushed('sms.pushed', '+CMT:') },
  { prefix: '+CDSI:', parse: stored('report.stored', '+CDSI:') },
  { prefix: '+CDS:', ...pushed('report.pushed', '+CDS:') },
  {
    prefix: '+CUSD:',
    open: (lines) => openQuote(lines.join('\n')) && lines.length < maxUssdLines,
    // A USSD text may span lines, but one whose quote never closes (line noise, a cut-off reply) must not
    // swallow what follows: a final result code, a URC (+CMTI: an SMS notice) or an answer line
    // (`+CSQ: 21,99`, `^SYSINFO:`) ends it. Operators' texts do not start with `+WORD:` or `^WORD:`.
    takes: (line) => finalResult(line) === undefined && !/^[+^][A-Z][A-Z0-9]*:/.test(line.trim()),
    parse: (lines) => {
      const [m, text, dcs] = fields(argsOf(lines.join('\n'), '+CUSD:') ?? '');
      const mode = int(m);
      return mode === undefined ? noise(lines) : { type: 'ussd', m: mode, text, dcs: int(dcs) };
    },
  },
  registration('CREG'),
  registration('CGREG'),
  registration('CEREG'),
  { prefix: 'RING', parse: () => ({ type: 'ring' }) },
  { prefix: '+CRING:', parse: () => ({ type: 'ring' }) },
  ...simStatusRows,
  {
    prefix: '+CLIP:',
    parse: (lines) => {
      const [number = '', type] = fields(argsOf(lines[0]!, '+CLIP:') ?? '');
      return { type: 'caller', number, numberType: int(type) };
    },
  },
  // Boot and status chatter: SIM800 (RDY, Call Ready, SMS Ready), Quectel (+QIND, +QUSIM),
  // Huawei (^BOOT, ^RSSI, ^MODE, ^SRVST, ^HCSQ), SIMCom (*PSUTTZ, DST, PB DONE), 27.007 (+CFUN, +CIEV, +CTZV).
  ...['RDY', 'Call Ready', 'SMS Ready', 'PB DONE', '+QIND:', '+QUSIM:', '+QSTK:', '^BOOT:', '^RSSI:', '^MODE:', '^SRVST:',
    '^HCSQ:', '^DSFLOWRPT:', '*PSUTTZ:', '+PSUTTZ:', 'DST:', '+CFUN:', '+CIEV:', '+CTZV:', '+CTZE:',
    '+CGEV:', '+STIN:', 'NORMAL POWER DOWN', 'UNDER-VOLTAGE', 'OVER-VOLTAGE'].map(noiseRow),
];

/** What a line is, given the command in flight (if any). */
export type LineKind =
  | { kind: 'final'; final: FinalResult }
  | { kind: 'urc'; row: UrcRow }
  | { kind: 'answer' };

/**
 * Classifies one line. A URC prefix is the command's answer when the shape says
 * so (`+CREG: 0,1`) or when the command asks for exactly that prefix in its read
 * or test form (`AT+CPIN?` → `+CPIN: READY`, `AT^RSSI?`); otherwise, even in
 * the middle of an answer, it is a URC.
 */
export function classify(line: string, command?: string, table: readonly UrcRow[] = urcTable): LineKind {
  const final = finalResult(line);
  if (final) return { kind: 'final', final };
  const row = table.find((r) => line.startsWith(r.prefix));
  if (!row) return { kind: 'answer' };
  if (row.solicited) return row.solicited(line.slice(row.prefix.length).trim()) ? { kind: 'answer' } : { kind: 'urc', row };
  return command !== undefined && asks(command, row.prefix) ? { kind: 'answer' } : { kind: 'urc', row };
}

function asks(command: string, prefix: string): boolean {
  const name = prefix.endsWith(':') ? prefix.slice(0, -1) : prefix;
  const c = command.toUpperCase();
  const n = `AT${name.toUpperCase()}`;
  return c === `${n}?` || c === `${n}=?`;
}
