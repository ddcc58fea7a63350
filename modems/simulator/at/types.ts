import type { SimCard } from './sim-card.ts';
import type { SlotDialect, Vendor, VendorName } from './vendors.ts';

/** A final result code: `OK`, `ERROR`, or a numbered `+CME ERROR` / `+CMS ERROR`. */
export type Result = 'OK' | 'ERROR' | { cme: number } | { cms: number };

/**
 * What a command answers: information lines, then a final result code, or a
 * `> ` prompt whose input (hex up to Ctrl-Z) the continuation answers.
 */
export interface Reply {
  lines: readonly string[];
  result: Result;
  prompt?: (input: string) => Reply;
}

/** V.250 forms: `AT+X` exec, `AT+X?` read, `AT+X=?` test, `AT+X=…` set; basic commands (`E1`, `I`) are exec. */
export type Form = 'exec' | 'read' | 'test' | 'set';

/** One command of a command line, name upper-cased (`+CPMS`, `E`, `&F`, `^SIMSLOT`). */
export interface Command {
  name: string;
  form: Form;
  /** Raw text after `=` for set, or the digits after a basic command (`1` of `E1`). */
  args: string;
}

export type Handler = (m: ModemContext, args: readonly string[]) => Reply;

/** One row of the command table: a handler per form; a missing form answers an error. */
export type CommandRow = Partial<Record<Form, Handler>>;

export type CommandTable = Readonly<Record<string, CommandRow>>;

/** What the SIM in the active slot is doing: absent, initialising (`+CME ERROR: 14`) or ready. */
export type SimState = 'absent' | 'busy' | 'ready';

/** Settings a host changes with AT commands; a restart (or `ATZ`) puts back the defaults. */
export interface ModemSettings {
  echo: boolean;
  cmee: 0 | 1 | 2;
  /** `+CNMI=<mode>,<mt>,<bm>,<ds>,<bfr>` as last set. */
  cnmi: [number, number, number, number, number];
  creg: 0 | 1 | 2;
  cscs: string;
  copsFormat: 0 | 1 | 2;
  cusd: 0 | 1;
  /** USSD strings as packed GSM 7-bit hex (a Huawei in `AT^USSDMODE=1`, its default), else as text. */
  ussdPacked: boolean;
}

/** What a command handler may see and do; the VirtualModem implements it. */
export interface ModemContext {
  readonly vendor: Vendor;
  readonly settings: ModemSettings;
  readonly imei: string;
  /** How long the network takes to answer a USSD request. */
  readonly ussdDelayMs: number;
  /** The SIM in the active slot, whatever its state. */
  readonly sim: SimCard | undefined;
  readonly simState: SimState;
  /** +CREG `<stat>`: 0 not registered, 1 home, 2 searching. */
  readonly registration: number;
  /** +CSQ `<rssi>`: 0…31, 99 unknown. */
  readonly signal: number;
  readonly radio: boolean;
  readonly slotCount: number;
  /** 1-based. */
  readonly activeSlot: number;
  /** Makes `slot` (1-based) active; false when there is no such slot. */
  switchSlot(slot: number): boolean;
  /** `AT+CFUN=1,1`: settings back to defaults, SIM re-initialises, boot lines follow. */
  restart(): void;
  /** `ATZ` / `AT&F`: settings back to defaults. */
  resetSettings(): void;
  setRadio(on: boolean): void;
  /** An unsolicited line after `afterMs`, behind the answer being written now. */
  unsolicited(line: string, afterMs?: number): void;
  /** Storage on the active SIM has room again (3GPP SMMA: the network retries what it holds). */
  storageFreed(): void;
}

/** An SMS as the network hands it to the simulated modem, before encoding. */
export interface SmsToDeliver {
  /** Digits (optionally with `+`) or an alphanumeric sender. */
  from: string;
  text: string;
  timestamp: Date;
}

/** Encodes an SMS into SMS-DELIVER PDUs (hex, SMSC octet first), one per part. */
export type EncodeDeliver = (sms: SmsToDeliver) => string[];

export interface VirtualModemOptions {
  /** K, the SIM slots of this channel (one active at a time). */
  slots?: number;
  /** The SIMs by slot: index 0 is slot 1. */
  sims?: readonly (SimCard | undefined)[];
  activeSlot?: number;
  vendor?: VendorName | Vendor;
  /** Defaults to the vendor's own. */
  slotDialect?: SlotDialect;
  imei?: string;
  /** Echo after power-on and `ATZ` (V.250 default: on). */
  echo?: boolean;
  /** Answer delay per command name (`'+CMGL': 40`), ms; others take `defaultDelayMs`. */
  delays?: Readonly<Record<string, number>>;
  defaultDelayMs?: number;
  /** Pace both directions at this baud rate, 8N1; unset: as fast as the PTY goes. */
  baudRate?: number;
  /** How long a SIM initialises after a slot switch, an insertion or a restart. */
  simBusyMs?: number;
  ussdDelayMs?: number;
  /** +CSQ rssi, 0…31. */
  signal?: number;
  encode?: EncodeDeliver;
  /** Every byte in (from the host) and out, for debugging a driver. */
  trace?: (direction: 'in' | 'out', bytes: string) => void;
}

/** What became of one PDU the network handed over. */
export type PduOutcome =
  | { stored: number }
  | { direct: true }
  | { refused: 'not-registered' | 'memory-full' };

export interface VirtualModemEvents {
  /** The SIM in the active slot finished initialising: the network may deliver to it. */
  'sim.ready': [sim: SimCard];
  /** Cells were freed on this SIM: the network retries what it holds (SMMA). */
  'storage.freed': [sim: SimCard];
}
