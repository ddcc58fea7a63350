import { resolve } from 'node:path';
import { formatRubles } from '../../actors/index.ts';
import { copySqliteToMongo, CopyError, type CopyReport } from '../store/index.ts';
import { CliError, type CliErrorCode, type Command, type Context } from './command.ts';
import { table } from './output.ts';

/** What each refusal of the copy is to the admin: input to fix (exit 2), but for a source that moved meanwhile. */
const refusals: Record<CopyError['code'], CliErrorCode> = {
  COPY_NO_SOURCE: 'CLI_NO_DATA',
  COPY_SOURCE_IN_USE: 'CLI_REFUSED',
  COPY_SCHEMA: 'CLI_REFUSED',
  COPY_NO_TARGET: 'CLI_NO_DATA',
  COPY_TARGET_NOT_EMPTY: 'CLI_REFUSED',
  COPY_SOURCE_CHANGED: 'CLI_COPY_MISMATCH',
};

export const migrateCommands: Command[] = [
  {
    name: 'migrate',
    usage: '[--from <data dir>] [--to <mongodb://host:port/database>] [--replace]',
    about: 'copy a SQLite data directory (default DATA_DIR, ./data) into an empty MongoDB database (default MONGODB_URI) '
      + 'and check every count and balance; stop the server first. --replace drops getsms data already in the target',
    flags: { from: 'string', to: 'string', replace: 'boolean' },
    async run(args, ctx) {
      const from = args.text('from')?.trim() || process.env.DATA_DIR?.trim() || './data';
      const to = args.text('to')?.trim() || process.env.MONGODB_URI?.trim();
      if (!to) throw new CliError('CLI_USAGE', 'migrate needs --to <mongodb://host:port/database> (or MONGODB_URI)');
      const report = await copy(from, to, args.on('replace'), ctx);
      print(report, ctx);
      if (!report.ok) throw new CliError('CLI_COPY_MISMATCH', `the copy differs from the source: ${differences(report).join('; ')}`);
      ctx.out(`migrated: ${report.checks.length} counts and ${report.accounts.length} accounts agree; `
        + 'start the server with MONGODB_URI set to the target (keep the data directory until it runs)');
    },
  },
];

async function copy(from: string, to: string, replace: boolean, ctx: Context): Promise<CopyReport> {
  let started = false;
  try {
    return await copySqliteToMongo({ from, to, replace }, (done) => {
      // Said once both ends are open and checked, so that a refusal is the only line.
      if (!started) ctx.out(`copying ${resolve(from, 'getsms.sqlite')} into MongoDB`);
      started = true;
      ctx.out(`  ${done.table.padEnd(20)} ${String(done.rows).padStart(8)} rows → ${done.documents} documents`);
    });
  } catch (err) {
    if (err instanceof CopyError) throw new CliError(refusals[err.code], err.message);
    throw err;
  }
}

const money = (k: number | null) => (k === null ? 'missing' : formatRubles(k));

/** Every count on both sides, then every account's money on both sides. */
function print(report: CopyReport, ctx: Context) {
  const out = (lines: string[]) => lines.forEach((line) => ctx.out(`  ${line}`));
  ctx.out('');
  ctx.out('verification');
  out(table(['what', 'sqlite', 'mongodb', ''], report.checks.map((c) => [
    c.name, String(c.source), String(c.target), c.source === c.target ? 'ok' : 'DIFFERS',
  ]), [1, 2]));
  ctx.out('');
  out(table(['account', 'email', 'sqlite balance', 'mongodb balance', 'mongodb ledger sum', ''], report.accounts.map((a) => [
    String(a.id), a.email, money(a.sourceBalance), money(a.targetBalance), money(a.ledgerSum), a.agrees ? 'ok' : 'DIFFERS',
  ]), [2, 3, 4]));
  ctx.out('');
}

function differences(report: CopyReport): string[] {
  return [
    ...report.checks.filter((c) => c.source !== c.target).map((c) => `${c.name} ${c.source} vs ${c.target}`),
    ...report.accounts.filter((a) => !a.agrees)
      .map((a) => `account ${a.id} balance ${money(a.sourceBalance)} vs ${money(a.targetBalance)}, ledger ${money(a.ledgerSum)}`),
  ];
}
