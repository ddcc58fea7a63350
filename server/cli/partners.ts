import {
  formatRubles, partnerCode, shareBasisPoints, sharePercent, StoreError,
} from '../../actors/index.ts';
import { CliError, type Command } from './command.ts';
import { table } from './output.ts';
import { accountOf, countryWord, serviceWord, when } from './words.ts';

/** The partner program: an admin makes an account a partner with a share; its code is what software sends as `ref=`. */
export const partnerCommands: Command[] = [
  {
    name: 'user partner',
    usage: '--email <e> --share <percent> [--code <ref>] [--json]   (code: the account id unless given)',
    about: 'make an account a partner (or change its share or code): it earns that share of every order sent with its ref=',
    flags: { email: 'string', share: 'string', code: 'string', json: 'boolean' },
    async run(args, ctx) {
      const shareText = args.need('share');
      const shareBp = shareBasisPoints(shareText);
      if (shareBp === undefined) throw new CliError('CLI_BAD_INPUT', `--share must be a percent from 0 to 100 such as 10 or 12.5, not "${shareText}"`);
      const store = await ctx.store();
      const account = await accountOf(store, args.need('email'));
      const given = args.text('code');
      const code = given === undefined ? String(account.id) : partnerCode(given);
      if (!code) throw new CliError('CLI_BAD_INPUT', '--code must be 1 to 64 letters, digits, ".", "_", "@" or "-"');
      const partner = await store.setPartner({ accountId: account.id, code, shareBp, at: ctx.clock.now() }).catch((err: unknown) => {
        if (err instanceof StoreError && err.code === 'STORE_CONFLICT') throw new CliError('CLI_REFUSED', `another partner has the code "${code}"`);
        throw err;
      });
      if (args.on('json')) return ctx.json({ accountId: account.id, email: account.email, code: partner.code, share: sharePercent(partner.shareBp) });
      ctx.out(`${account.email} is a partner: ref=${partner.code} earns ${sharePercent(partner.shareBp)} % of each order it sends`);
    },
  },
  {
    name: 'partner list',
    usage: '[--json]',
    about: 'every partner with its code, share and what it earned',
    flags: { json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const store = await ctx.store();
      const partners = await store.partners();
      const rows = await Promise.all(partners.map(async (p) => {
        const account = await store.accountById(p.accountId);
        const earned = (await store.ledger(p.accountId)).filter((e) => e.reason === 'commission').reduce((s, e) => s + e.amount, 0);
        return { accountId: p.accountId, email: account?.email ?? '', code: p.code, share: sharePercent(p.shareBp), earned: formatRubles(earned) };
      }));
      if (args.on('json')) return ctx.json(rows);
      if (rows.length === 0) return ctx.out('no partners yet: getsms user partner makes one');
      for (const line of table(['id', 'email', 'ref', 'share %', 'earned'], rows.map((r) => [String(r.accountId), r.email, r.code, r.share, r.earned]), [4])) ctx.out(line);
    },
  },
  {
    name: 'partner referrals',
    usage: '--email <e> [--limit 50] [--json]',
    about: 'the orders a partner\'s software sent, newest first, with each commission and whether it was paid',
    flags: { email: 'string', limit: 'string', json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const limit = Number(args.text('limit') ?? '50');
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CliError('CLI_BAD_INPUT', '--limit must be a whole number from 1 to 10000');
      const store = await ctx.store();
      const account = await accountOf(store, args.need('email'));
      if (!(await store.partner(account.id))) throw new CliError('CLI_NO_DATA', `${account.email} is not a partner`);
      const referrals = await store.referrals(account.id, limit);
      if (args.on('json')) return ctx.json(referrals.map((r) => ({ ...r, price: formatRubles(r.price), commission: formatRubles(r.commission) })));
      const rows = referrals.map((r) => [
        String(r.activationId), serviceWord(r.service), countryWord(r.country), r.state, formatRubles(r.price),
        formatRubles(r.commission), r.paidAt === null ? '-' : when(r.paidAt),
      ]);
      for (const line of table(['activation', 'service', 'country', 'state', 'price', 'commission', 'paid'], rows, [4, 5])) ctx.out(line);
    },
  },
];
