/**
 * What went wrong with an AT command, as a stable `code` (STYLE §7), and the
 * 3GPP error numbers that matter to a SIM farm, as data: TS 27.007 §9.2 for
 * `+CME ERROR: <n>`, TS 27.005 §3.2.5 for `+CMS ERROR: <n>`. Each number maps
 * to a meaning the modem actor can act on (no SIM, locked, busy: retry …).
 */

/** Stable codes of AtError; compare these, never the message. */
export type AtErrorCode =
  | 'AT_ERROR' //   plain `ERROR` (or `NO CARRIER`, `BUSY` …): the modem refused without saying why
  | 'AT_CME' //     `+CME ERROR: n`: equipment or SIM trouble, `n` from 27.007
  | 'AT_CMS' //     `+CMS ERROR: n`: SMS service trouble, `n` from 27.005
  | 'AT_TIMEOUT' // no final result code in time
  | 'AT_CLOSED' //  the port closed or failed before the command finished
  | 'AT_ANSWER'; // the command succeeded but its answer did not parse (a sequence `read`)

/** What an error number means for the channel; the actor picks its next state from this. */
export type AtErrorMeaning =
  | 'simMissing' | 'simLocked' | 'simBlocked' | 'simFailure' | 'simBusy' | 'simWrong'
  | 'memoryFull' | 'memoryFailure' | 'invalidIndex' | 'notFound'
  | 'noNetwork' | 'networkTimeout' | 'noSmsc'
  | 'refused' | 'unsupported' | 'badPdu' | 'modemFailure' | 'unknown';

interface ErrorRow {
  /** The verbose text (`AT+CMEE=2`), matched case-insensitively to recover the number. */
  text: string;
  meaning: AtErrorMeaning;
  /** Worth trying again after a pause, without resetting anything. */
  retry?: true;
}

/** `+CME ERROR: <n>`, 3GPP TS 27.007 §9.2.1; only the numbers a SIM farm meets. */
export const cmeErrors: Readonly<Record<number, ErrorRow>> = {
  3: { text: 'operation not allowed', meaning: 'refused' },
  4: { text: 'operation not supported', meaning: 'unsupported' },
  5: { text: 'PH-SIM PIN required', meaning: 'simLocked' },
  10: { text: 'SIM not inserted', meaning: 'simMissing' },
  11: { text: 'SIM PIN required', meaning: 'simLocked' },
  12: { text: 'SIM PUK required', meaning: 'simBlocked' },
  13: { text: 'SIM failure', meaning: 'simFailure' },
  // Normal for a few seconds after power-up or a slot switch (modem-notes §3.1): retry.
  14: { text: 'SIM busy', meaning: 'simBusy', retry: true },
  15: { text: 'SIM wrong', meaning: 'simWrong' },
  16: { text: 'incorrect password', meaning: 'refused' },
  20: { text: 'memory full', meaning: 'memoryFull' },
  21: { text: 'invalid index', meaning: 'invalidIndex' },
  22: { text: 'not found', meaning: 'notFound' },
  30: { text: 'no network service', meaning: 'noNetwork', retry: true },
  31: { text: 'network timeout', meaning: 'networkTimeout', retry: true },
  32: { text: 'network not allowed - emergency calls only', meaning: 'noNetwork', retry: true },
  100: { text: 'unknown', meaning: 'unknown' },
};

/** `+CMS ERROR: <n>`, 3GPP TS 27.005 §3.2.5; the ME/SIM numbers 300–500. */
export const cmsErrors: Readonly<Record<number, ErrorRow>> = {
  300: { text: 'ME failure', meaning: 'modemFailure' },
  302: { text: 'operation not allowed', meaning: 'refused' },
  303: { text: 'operation not supported', meaning: 'unsupported' },
  304: { text: 'invalid PDU mode parameter', meaning: 'badPdu' },
  310: { text: 'SIM not inserted', meaning: 'simMissing' },
  311: { text: 'SIM PIN required', meaning: 'simLocked' },
  312: { text: 'PH-SIM PIN required', meaning: 'simLocked' },
  313: { text: 'SIM failure', meaning: 'simFailure' },
  // The SIM is still loading its SMS files, typically right after start-up: retry.
  314: { text: 'SIM busy', meaning: 'simBusy', retry: true },
  315: { text: 'SIM wrong', meaning: 'simWrong' },
  316: { text: 'SIM PUK required', meaning: 'simBlocked' },
  320: { text: 'memory failure', meaning: 'memoryFailure' },
  // An index that +CMTI named but the SIM no longer holds (read by another client, or deleted).
  321: { text: 'invalid memory index', meaning: 'invalidIndex' },
  322: { text: 'memory full', meaning: 'memoryFull' },
  330: { text: 'SMSC address unknown', meaning: 'noSmsc' },
  331: { text: 'no network service', meaning: 'noNetwork', retry: true },
  332: { text: 'network timeout', meaning: 'networkTimeout', retry: true },
  500: { text: 'unknown error', meaning: 'unknown' },
};

/** The number a verbose error text stands for, when the table knows the text. */
export function errorNumber(table: Readonly<Record<number, ErrorRow>>, text: string): number | undefined {
  const wanted = text.trim().toLowerCase();
  for (const [n, row] of Object.entries(table)) if (row.text.toLowerCase() === wanted) return Number(n);
  return undefined;
}

interface AtErrorDetails {
  /** The command line that failed, as sent. */
  command?: string;
  /** The CME/CMS number, when the modem gave one or its verbose text is known. */
  n?: number;
  /** The line that ended the command, as received (`+CME ERROR: SIM not inserted`). */
  line?: string;
}

/** An AT command's failure, with a stable `code`. */
export class AtError extends Error {
  override readonly name = 'AtError';
  readonly command: string | undefined;
  readonly n: number | undefined;
  readonly line: string | undefined;

  constructor(readonly code: AtErrorCode, message: string, details: AtErrorDetails = {}) {
    super(message);
    this.command = details.command;
    this.n = details.n;
    this.line = details.line;
  }

  /** What a CME/CMS number means for the channel; undefined for other codes and unknown numbers. */
  get meaning(): AtErrorMeaning | undefined {
    return this.#row?.meaning;
  }

  /** The modem may well succeed if asked again after a pause (SIM busy, network timeout). */
  get retry(): boolean {
    return this.#row?.retry === true;
  }

  get #row(): ErrorRow | undefined {
    if (this.n === undefined) return undefined;
    if (this.code === 'AT_CME') return cmeErrors[this.n];
    if (this.code === 'AT_CMS') return cmsErrors[this.n];
    return undefined;
  }
}
