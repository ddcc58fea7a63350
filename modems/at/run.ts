import type { AtRunner } from './engine.ts';
import { AtError } from './errors.ts';

/**
 * AT sequences as tables (STYLE §4, ModemManager's MMBaseModemAtCommand arrays):
 * rows run in order; `firstOf` tries alternatives until one answers OK and its
 * `read` parses; a row's `read` stores its value under the row's name. A
 * driver replaces single rows by name (replaceRows), never the runner.
 */

interface RowBase {
  timeoutMs: number;
  /** A failure here is recorded and the sequence goes on (a feature some modems lack). */
  optional?: true;
}

type Send = { send: string; firstOf?: undefined } | { firstOf: readonly string[]; send?: undefined };

/** A row that reads a value: its name is the key the value is stored under. */
type ReadingRow<R> = { [K in keyof R & string]: { name: K; read: (lines: readonly string[]) => R[K] } }[keyof R & string];

/** One row of a sequence: a command (or alternatives), a timeout, and maybe a read into `R`. */
export type AtRow<R> = RowBase & Send & (ReadingRow<R> | { name: string; read?: undefined });

/** Rows run in order. */
export type AtSequence<R> = readonly AtRow<R>[];

/** A row that failed, and why. */
export interface RowFailure {
  row: string;
  error: AtError;
}

/** What a sequence found: every value read, the optional rows that failed, and the row that stopped it, if any. */
export interface SequenceReport<R> {
  values: Partial<R>;
  skipped: RowFailure[];
  stopped?: RowFailure;
}

/**
 * Runs rows in order. A required row's failure stops the run; so does any
 * AT_TIMEOUT or AT_CLOSED, whatever the row says: the port is in trouble, and
 * the actor's reconnect is the remedy, not thirty more seconds of timeouts.
 * Resolves with what was found so far; rejects only on a programming error.
 */
export async function runSequence<R>(at: AtRunner, rows: AtSequence<R>): Promise<SequenceReport<R>> {
  const values: Partial<R> = {};
  const skipped: RowFailure[] = [];
  for (const row of rows) {
    try {
      const value = await runRow(at, row);
      if (row.read) (values as Record<string, unknown>)[row.name] = value;
    } catch (error) {
      if (!(error instanceof AtError)) throw error;
      const failure = { row: row.name, error };
      if (!row.optional || error.code === 'AT_TIMEOUT' || error.code === 'AT_CLOSED') return { values, skipped, stopped: failure };
      skipped.push(failure);
    }
  }
  return { values, skipped };
}

/** Runs one row: each alternative in turn until one answers and reads; the last failure otherwise. */
export async function runRow<R>(at: AtRunner, row: AtRow<R>): Promise<unknown> {
  const commands = row.firstOf ?? [row.send];
  let last: AtError | undefined;
  for (const command of commands) {
    try {
      const { lines } = await at.run(command, { timeoutMs: row.timeoutMs });
      return row.read ? row.read(lines) : undefined;
    } catch (error) {
      if (!(error instanceof AtError)) throw error;
      last = error.command === undefined ? new AtError(error.code, `${command}: ${error.message}`, { command, n: error.n, line: error.line }) : error;
      if (last.code === 'AT_TIMEOUT' || last.code === 'AT_CLOSED') break;
    }
  }
  if (!last) throw new TypeError(`row ${row.name} has no command`);
  throw last;
}

/**
 * A copy of `rows` with rows swapped by name, or dropped for `null`: how a
 * vendor driver overrides the generic table. Naming a row that isn't there throws.
 */
export function replaceRows<R>(rows: AtSequence<R>, replacements: Readonly<Record<string, AtRow<R> | null>>): AtSequence<R> {
  const names = new Set(rows.map((r) => r.name));
  for (const name of Object.keys(replacements)) if (!names.has(name)) throw new RangeError(`replaceRows: no row named ${name}`);
  return rows.flatMap((r) => {
    const replacement = replacements[r.name];
    if (replacement === undefined) return [r];
    return replacement === null ? [] : [replacement];
  });
}
