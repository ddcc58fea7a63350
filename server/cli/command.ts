import { parseArgs } from 'node:util';
import type { Clock, Store } from '../../actors/index.ts';

/**
 * Why a command stopped. Every code but the mismatches is the admin's input
 * (exit 2); a ledger that does not add up, or a copy that differs from its
 * source (getsms migrate), is a finding about the data (exit 1).
 */
export type CliErrorCode = 'CLI_USAGE' | 'CLI_BAD_INPUT' | 'CLI_REFUSED' | 'CLI_NO_DATA' | 'CLI_LEDGER_MISMATCH' | 'CLI_COPY_MISMATCH';

export const exitCodes: Record<CliErrorCode, number> = {
  CLI_USAGE: 2,
  CLI_BAD_INPUT: 2,
  CLI_REFUSED: 2,
  CLI_NO_DATA: 2,
  CLI_LEDGER_MISMATCH: 1,
  CLI_COPY_MISMATCH: 1,
};

/** A refusal the command line explains in one sentence on stderr. */
export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What a command reaches: the store (opened on first use), a clock and the two output channels. */
export interface Context {
  store(): Promise<Store>;
  clock: Clock;
  /** One line of human output on stdout. */
  out(line: string): void;
  /** Machine output on stdout, for `--json`. */
  json(value: unknown): void;
}

/** One command of the table: its words, its flags and what it does. */
export interface Command {
  /** The words that name it: `user add`, `ledger`. */
  name: string;
  /** What follows the name in the usage text. */
  usage: string;
  about: string;
  flags: Record<string, 'string' | 'boolean'>;
  /** Positional arguments in order; a name ending in `...` takes the rest, joined by spaces (`...?`: the rest, maybe none). */
  positionals?: readonly string[];
  /** Reads only: refuse a data directory that does not exist rather than make an empty one. */
  readsOnly?: boolean;
  run(args: Args, ctx: Context): Promise<void>;
}

/** A command's parsed flags and positionals, with the checks every command needs. */
export class Args {
  constructor(
    readonly command: string,
    readonly values: Readonly<Record<string, string | boolean>>,
    readonly positionals: Readonly<Record<string, string>>,
  ) {}

  text(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  need(name: string): string {
    const v = this.text(name);
    if (v === undefined || v.trim() === '') throw new CliError('CLI_USAGE', `${this.command} needs --${name}`);
    return v.trim();
  }

  on(name: string): boolean {
    return this.values[name] === true;
  }

  positional(name: string): string {
    return this.positionals[name]!; // parse() has checked that every positional is there
  }
}

/**
 * Parses what follows a command's name. parseArgs runs loose and its tokens are
 * checked here, so every mistake gets a sentence naming the flag rather than
 * Node's generic text.
 */
export function parse(command: Command, argv: readonly string[]): Args {
  const { tokens } = parseArgs({ args: [...argv], strict: false, allowPositionals: true, tokens: true, options: options(command) });
  const values: Record<string, string | boolean> = {};
  const loose: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') loose.push(token.value);
    if (token.kind !== 'option') continue;
    const type = command.flags[token.name];
    if (!type) throw new CliError('CLI_USAGE', `${command.name} has no option ${token.rawName} (see getsms help ${command.name})`);
    if (type === 'boolean') {
      if (token.value !== undefined) throw new CliError('CLI_USAGE', `${token.rawName} takes no value`);
      values[token.name] = true;
      continue;
    }
    // `--email --json`: parseArgs would take `--json` as the address.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
      throw new CliError('CLI_USAGE', `${token.rawName} needs a value (write ${token.rawName}=<value> if it starts with a dash)`);
    }
    values[token.name] = token.value;
  }
  return new Args(command.name, values, positionals(command, loose));
}

function options(command: Command) {
  return Object.fromEntries(Object.entries(command.flags).map(([name, type]) => [name, { type }]));
}

function positionals(command: Command, loose: string[]): Record<string, string> {
  const names = command.positionals ?? [];
  const found: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    const rest = name.endsWith('...') || name.endsWith('...?');
    const value = rest ? loose.slice(i).join(' ') : loose[i];
    if (name.endsWith('...?') && value?.trim() === '') return found;
    if (value === undefined || value.trim() === '') {
      throw new CliError('CLI_USAGE', `${command.name} needs <${name.replace('...', '')}>`);
    }
    found[name.replace(/\.\.\.\??$/, '')] = value.trim();
    if (rest) return found;
  }
  if (loose.length > names.length) {
    throw new CliError('CLI_USAGE', `${command.name} does not take "${loose[names.length]}" (see getsms help ${command.name})`);
  }
  return found;
}
