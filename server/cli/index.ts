import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { StoreError, systemClock, type Clock, type Store } from '../../actors/index.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { openStore } from '../store/index.ts';
import { CliError, exitCodes, parse, type Command, type Context } from './command.ts';
import { commands } from './commands.ts';
import { help } from './help.ts';

/** Where a run writes and what it runs against; tests and main.ts each give their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  clock?: Clock;
}

/** Runs one command line (`['user', 'add', '--email', …]`) and resolves to its exit status. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let store: Store | undefined;
  try {
    const found = find(argv);
    if ('help' in found) {
      help(commands, found.help === true ? undefined : found.help).forEach((l) => io.stdout(`${l}\n`));
      return 0;
    }
    const { command, rest } = found;
    const args = parse(command, rest);
    const ctx: Context = {
      clock: io.clock ?? systemClock,
      out: (line) => io.stdout(`${line}\n`),
      json: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
      store: async () => (store ??= await open(io.env, command)),
    };
    await command.run(args, ctx);
    return 0;
  } catch (err) {
    io.stderr(`getsms: ${sentence(err)}\n`);
    return err instanceof CliError ? exitCodes[err.code] : 1;
  } finally {
    await store?.close();
  }
}

type Found = { help: true | string } | { command: Command; rest: readonly string[] };

/** The command the leading words name (two words before one: `user add`, `ledger`), or a request for help. */
function find(argv: readonly string[]): Found {
  const firstFlag = argv.findIndex((a) => a.startsWith('-'));
  const words = firstFlag === -1 ? argv : argv.slice(0, firstFlag);
  const beforeTerminator = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  const wantsHelp = beforeTerminator.some((a) => a === '--help' || a === '-h');
  if (argv.length === 0 || (words.length === 0 && wantsHelp)) return { help: true };
  if (words[0] === 'help') {
    const about = words.slice(1, 3).join(' ');
    if (!about) return { help: true };
    if (!commands.some((c) => c.name === about || c.name.split(' ')[0] === about || c.name.startsWith(`${about} `))) {
      throw new CliError('CLI_USAGE', `there is no command "${about}"; getsms help lists them`);
    }
    return { help: about };
  }
  const command = commands.find((c) => c.name === words.slice(0, 3).join(' '))
    ?? commands.find((c) => c.name === words.slice(0, 2).join(' ')) ?? commands.find((c) => c.name === words[0]);
  if (command) {
    if (wantsHelp) return { help: command.name };
    return { command, rest: argv.slice(command.name.split(' ').length) };
  }
  const group = commands.filter((c) => c.name.split(' ')[0] === words[0]);
  if (group.length > 0 && (wantsHelp || words.length === 1)) {
    if (wantsHelp) return { help: words[0]! };
    throw new CliError('CLI_USAGE', `${words[0]} needs one of: ${group.map((c) => c.name.split(' ')[1]).join(', ')}`);
  }
  if (group.length > 0) {
    throw new CliError('CLI_USAGE', `there is no command "${words.slice(0, 2).join(' ')}"; ${words[0]} has: ${group.map((c) => c.name.split(' ')[1]).join(', ')}`);
  }
  throw new CliError('CLI_USAGE', `there is no command "${words[0] ?? argv[0]}"; getsms help lists them`);
}

/** The server's store, from the server's configuration; a command that only reads never makes a data directory. */
async function open(env: NodeJS.ProcessEnv, command: Command): Promise<Store> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError('CLI_BAD_INPUT', err.message);
    throw err;
  }
  if (command.readsOnly && !config.mongodbUri && !existsSync(config.dataDir)) {
    throw new CliError('CLI_NO_DATA', `there is no data directory ${resolve(config.dataDir)}: set DATA_DIR to the server's, or start the server once`);
  }
  try {
    return await openStore(config);
  } catch (err) {
    const where = config.mongodbUri ? 'MongoDB (MONGODB_URI)' : resolve(config.dataDir);
    throw new CliError('CLI_NO_DATA', `cannot open the data in ${where}: ${(err as Error).message}`);
  }
}

/** One sentence for stderr; stacks stay out of an admin's terminal. */
function sentence(err: unknown): string {
  if (err instanceof CliError || err instanceof StoreError) return err.message;
  const code = (err as { code?: unknown })?.code;
  // The server held a write lock longer than the busy timeout: nothing was changed.
  if (code === 'SQLITE_BUSY') return 'the database stayed busy (the server is writing); nothing changed, try again';
  return `failed: ${err instanceof Error ? err.message : String(err)}`;
}
