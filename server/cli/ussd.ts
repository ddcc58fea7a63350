import { balanceUssdCodes, balanceUssdSetting, countries } from '../../actors/index.ts';
import { CliError, type Command } from './command.ts';
import { table } from './output.ts';

/** `ru/mts` as typed: a country the catalogue has and an operator word. */
function operatorOf(text: string): { country: string; operator: string } {
  const m = /^([a-z]{2})\/([a-z0-9_-]{1,32})$/.exec(text.trim().toLowerCase());
  if (!m || !countries.some((c) => c.id === m[1])) {
    throw new CliError('CLI_BAD_INPUT', `--operator must be a country and an operator such as ru/mts or kz/beeline, not "${text}"`);
  }
  return { country: m[1]!, operator: m[2]! };
}

/** Operators' USSD codes the server uses: the balance code behind getNumberBalance. */
export const ussdCommands: Command[] = [
  {
    name: 'ussd balance',
    usage: '--operator <country/operator> --code <*100#|none|default>',
    about: 'the USSD code that asks an operator for a SIM\'s balance (getNumberBalance); none: it has none; default: the built-in one',
    flags: { operator: 'string', code: 'string' },
    async run(args, ctx) {
      const { country, operator } = operatorOf(args.need('operator'));
      const code = args.need('code');
      if (code !== 'none' && code !== 'default' && !/^[0-9*#]{2,32}$/.test(code)) {
        throw new CliError('CLI_BAD_INPUT', '--code must be a USSD code such as *100# (digits, * and #), none or default');
      }
      const store = await ctx.store();
      const key = balanceUssdSetting(country, operator);
      // "default" is the catalogue's own code, stored as such so the setting is explicit.
      const value = code === 'default' ? (balanceUssdCodes[`${country}/${operator}`] ?? 'none') : code;
      await store.setSetting(key, value);
      ctx.out(`${country}/${operator}: balance ${value === 'none' ? 'cannot be asked (no code)' : `by ${value}`}`);
    },
  },
  {
    name: 'ussd list',
    usage: '[--json]',
    about: 'the balance code of every operator the catalogue knows, and the ones admins set',
    flags: { json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const store = await ctx.store();
      const rows: { operator: string; code: string; set: boolean }[] = [];
      for (const c of countries) {
        for (const op of c.operators) {
          const own = await store.setting(balanceUssdSetting(c.id, op));
          const built = balanceUssdCodes[`${c.id}/${op}`];
          if (own === undefined && built === undefined) continue;
          rows.push({ operator: `${c.id}/${op}`, code: own ?? built!, set: own !== undefined });
        }
      }
      if (args.on('json')) return ctx.json(rows);
      for (const line of table(['operator', 'balance code', 'from'], rows.map((r) => [r.operator, r.code, r.set ? 'admin' : 'catalogue']))) ctx.out(line);
    },
  },
];
