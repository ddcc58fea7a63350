import { randomUUID } from 'node:crypto';
import { formatRubles, type Account, type LedgerEntry, type Store } from '../../actors/index.ts';
import { CliError, type Args, type Command, type Context } from './command.ts';
import { accountJson, table } from './output.ts';
import { accountOf, rubles, when } from './words.ts';

const moveFlags = { email: 'string', amount: 'string', reason: 'string', key: 'string', json: 'boolean' } as const;
const moveUsage = '--email <e> --amount <rubles> --reason "<text>" [--key <idempotency key>] [--json]';

/** Every admin movement carries this ref; the reason the admin typed is its note. */
const adminRef = 'admin:cli';

export const balanceCommands: Command[] = [
  {
    name: 'balance credit', usage: moveUsage, flags: moveFlags,
    about: 'add money to an account (ledger reason topup); a repeated --key changes nothing',
    run: (args, ctx) => move(args, ctx, 1),
  },
  {
    name: 'balance debit', usage: moveUsage, flags: moveFlags,
    about: 'take money from an account (ledger reason debit); never below zero',
    run: (args, ctx) => move(args, ctx, -1),
  },
  {
    name: 'ledger',
    usage: '--email <e> [--json]',
    about: 'an account\'s ledger, checked to add up to its balance',
    flags: { email: 'string', json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const store = await ctx.store();
      const { account, entries } = await steadyLedger(store, args.need('email'));
      let sum = 0;
      let broken: LedgerEntry | undefined;
      for (const e of entries) {
        sum += e.amount;
        if (e.balanceAfter !== sum) broken ??= e;
      }
      const addsUp = sum === account.balance && !broken;
      if (args.on('json')) {
        ctx.json({ account: accountJson(account), entries: entries.map(entryJson), sum: formatRubles(sum), addsUp });
      } else {
        const rows = entries.map((e) => [
          String(e.id), when(e.at), signed(e.amount), formatRubles(e.balanceAfter), e.reason, e.ref, e.note,
        ]);
        for (const line of table(['id', 'at', 'amount', 'balance', 'reason', 'ref', 'note'], rows, [2, 3])) ctx.out(line);
        if (addsUp) ctx.out(`${entries.length} entries add up to ${formatRubles(sum)}, the balance of ${account.email}`);
      }
      if (broken) {
        throw new CliError('CLI_LEDGER_MISMATCH', `ledger entry ${broken.id} says the balance was ${formatRubles(broken.balanceAfter)}, but the entries up to it add up to something else`);
      }
      if (sum !== account.balance) {
        throw new CliError('CLI_LEDGER_MISMATCH', `the ledger adds up to ${formatRubles(sum)} but the balance of ${account.email} is ${formatRubles(account.balance)}`);
      }
    },
  },
];

async function move(args: Args, ctx: Context, sign: 1 | -1) {
  const amount = rubles('amount', args.need('amount'), 1);
  const note = args.need('reason');
  const key = args.text('key')?.trim() || randomUUID();
  const store = await ctx.store();
  const account = await accountOf(store, args.need('email'));
  const result = await store.moveMoney({
    accountId: account.id, amount: sign * amount, reason: sign > 0 ? 'topup' : 'debit', ref: adminRef, key, note,
    at: ctx.clock.now(),
  });
  if (!result.ok) {
    if (result.code === 'noAccount') throw new CliError('CLI_BAD_INPUT', `there is no account ${account.email}`);
    throw new CliError('CLI_REFUSED', `cannot debit ${formatRubles(amount)} from ${account.email}: the balance is ${formatRubles(account.balance)} and may not go below zero`);
  }
  // A key seen before changed nothing; say which entry it was, or that it is another account's.
  const entry = (await store.ledger(account.id)).find((e) => e.key === key);
  if (!entry) throw new CliError('CLI_REFUSED', `the key "${key}" was already used for another account's ledger entry; nothing changed`);
  const after = (await store.accountById(account.id)) ?? account;
  if (args.on('json')) return ctx.json({ account: accountJson(after), entry: entryJson(entry), applied: result.applied });
  if (result.applied) {
    ctx.out(`${sign > 0 ? 'credited' : 'debited'} ${formatRubles(amount)} ${sign > 0 ? 'to' : 'from'} ${account.email}: balance ${formatRubles(entry.balanceAfter)} (ledger entry ${entry.id}, key ${key})`);
  } else {
    ctx.out(`already done: key ${key} is ledger entry ${entry.id} (${signed(entry.amount)} on ${when(entry.at)}); nothing changed, balance ${formatRubles(after.balance)}`);
  }
}

/**
 * The account and its ledger read so that no money moved in between: the
 * server may be charging it while we read, which would look like a mismatch.
 */
async function steadyLedger(store: Store, email: string): Promise<{ account: Account; entries: LedgerEntry[] }> {
  for (let attempt = 0; ; attempt++) {
    const before = await accountOf(store, email);
    const entries = await store.ledger(before.id);
    const after = await accountOf(store, email);
    if (after.balance === before.balance || attempt === 4) return { account: after, entries };
  }
}

function signed(k: number): string {
  return k > 0 ? `+${formatRubles(k)}` : formatRubles(k);
}

function entryJson(e: LedgerEntry) {
  return {
    id: e.id, at: new Date(e.at).toISOString(), amount: formatRubles(e.amount), balanceAfter: formatRubles(e.balanceAfter),
    reason: e.reason, ref: e.ref, note: e.note, key: e.key,
  };
}
