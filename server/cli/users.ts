import { apiKeyHash, formatRubles, newApiKey, StoreError } from '../../actors/index.ts';
import { newWebhookSecret, signatureHeader, webhookUrl } from '../webhooks/index.ts';
import { addAccount } from '../bootstrap.ts';
import { CliError, type Command } from './command.ts';
import { accountJson, accountLine, table } from './output.ts';
import { accountOf, dialect, dialectWords, email, role, rubles, when } from './words.ts';

/** Keys travel in query strings: letters, digits, `-` and `_` need no escaping there. */
const keyShape = /^[A-Za-z0-9_-]{16,128}$/;

const shownOnce = '(shown only now: getsms keeps only its hash)';

export const userCommands: Command[] = [
  {
    name: 'user add',
    usage: '--email <e> --role user|operator|admin [--api-key <k>] [--balance <rubles>] [--dialect getsms|sms-activate] [--json]',
    about: 'make an account and print its API key',
    flags: { email: 'string', role: 'string', 'api-key': 'string', balance: 'string', dialect: 'string', json: 'boolean' },
    async run(args, ctx) {
      const req = {
        email: email(args.need('email')),
        role: role(args.need('role')),
        apiKey: args.text('api-key'),
        balance: rubles('balance', args.text('balance') ?? '0', 0),
        dialect: dialect(args.text('dialect') ?? 'getsms'),
      };
      if (req.apiKey !== undefined && !keyShape.test(req.apiKey)) {
        throw new CliError('CLI_BAD_INPUT', '--api-key must be 16 to 128 letters, digits, - or _');
      }
      const store = await ctx.store();
      if (await store.accountByEmail(req.email)) throw new CliError('CLI_REFUSED', `there already is an account ${req.email}`);
      if (req.apiKey !== undefined && (await store.accountByKeyHash(apiKeyHash(req.apiKey)))) {
        throw new CliError('CLI_REFUSED', 'that API key already belongs to another account');
      }
      const { account, apiKey } = await addAccount(store, ctx.clock, req).catch((err: unknown) => {
        // The checks above raced another writer (the web admin, a second shell).
        if (err instanceof StoreError && err.code === 'STORE_CONFLICT') throw new CliError('CLI_REFUSED', err.message);
        throw err;
      });
      if (args.on('json')) return ctx.json({ account: accountJson(account), apiKey });
      ctx.out(accountLine(account));
      ctx.out(`api_key ${apiKey}  ${shownOnce}`);
    },
  },
  {
    name: 'user list',
    usage: '[--json]',
    about: 'every account with its role, dialect and balance',
    flags: { json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const accounts = await (await ctx.store()).accounts();
      if (args.on('json')) return ctx.json(accounts.map(accountJson));
      if (accounts.length === 0) return ctx.out('no accounts yet: getsms user add makes one');
      const rows = accounts.map((a) => [String(a.id), a.email, a.role, dialectWords[a.dialect], formatRubles(a.balance), when(a.createdAt)]);
      for (const line of table(['id', 'email', 'role', 'dialect', 'balance', 'since'], rows, [4])) ctx.out(line);
    },
  },
  {
    name: 'user key',
    usage: '--email <e> [--json]',
    about: 'issue a new API key (the old one stops working) and print it',
    flags: { email: 'string', json: 'boolean' },
    async run(args, ctx) {
      const store = await ctx.store();
      const account = await accountOf(store, args.need('email'));
      const apiKey = newApiKey();
      await store.setApiKeyHash(account.id, apiKeyHash(apiKey));
      if (args.on('json')) return ctx.json({ account: accountJson(account), apiKey });
      ctx.out(`new api_key for ${account.email}: ${apiKey}  ${shownOnce}`);
      ctx.out('the previous key no longer works');
    },
  },
  {
    name: 'user dialect',
    usage: '--email <e> --dialect getsms|sms-activate',
    about: 'which dialect the account\'s API key speaks when the Host header does not say',
    flags: { email: 'string', dialect: 'string' },
    async run(args, ctx) {
      const wanted = dialect(args.need('dialect'));
      const store = await ctx.store();
      const account = await accountOf(store, args.need('email'));
      await store.setDialect(account.id, wanted);
      ctx.out(`${account.email} now speaks ${dialectWords[wanted]} (was ${dialectWords[account.dialect]})`);
    },
  },
  {
    name: 'user webhook',
    usage: '--email <e> (--url <http(s) url> | --remove) [--json]',
    about: 'where the account\'s SMS are POSTed (sms-activate\'s webhook body, signed); prints the signing secret',
    flags: { email: 'string', url: 'string', remove: 'boolean', json: 'boolean' },
    async run(args, ctx) {
      const store = await ctx.store();
      const account = await accountOf(store, args.need('email'));
      if (args.on('remove')) {
        await store.setWebhook(account.id, null, ctx.clock.now());
        return args.on('json') ? ctx.json({ account: accountJson(account), webhook: null }) : ctx.out(`${account.email}: webhook removed`);
      }
      const check = webhookUrl(args.need('url'));
      if (!check.ok) throw new CliError('CLI_BAD_INPUT', check.error.replace('"url"', '--url'));
      const secret = (await store.webhook(account.id))?.secret ?? newWebhookSecret();
      await store.setWebhook(account.id, { url: check.url, secret }, ctx.clock.now());
      if (args.on('json')) return ctx.json({ account: accountJson(account), webhook: { url: check.url, secret, signatureHeader } });
      ctx.out(`${account.email}: SMS are POSTed to ${check.url}`);
      ctx.out(`signing secret ${secret}  (${signatureHeader}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">)`);
    },
  },
];
