import { serviceById } from '../../actors/index.ts';
import { CliError, type Command } from './command.ts';
import { table } from './output.ts';
import { service, serviceWord } from './words.ts';

/**
 * A regex source as the SMS rules compile it, or a sentence saying why not.
 * The server would fall back to the catalogue's rule on a bad one, silently;
 * refusing it here is the admin's only chance to hear about the typo.
 */
function compiles(flag: string, source: string, flags: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new CliError('CLI_BAD_INPUT', `--${flag} is not a regular expression: ${(err as Error).message}`);
  }
}

/** How many capturing groups a regex has: an empty alternative makes it match '' with every group unset. */
function groups(re: RegExp): number {
  return new RegExp(`${re.source}|`).exec('')!.length - 1;
}

export const ruleCommands: Command[] = [
  {
    name: 'rule set',
    usage: '--service <code> --match <regex> [--code <regex>]',
    about: 'how an SMS is recognised as a service\'s (sender or text, any case) and where its code is (groups joined)',
    flags: { service: 'string', match: 'string', code: 'string' },
    async run(args, ctx) {
      const s = service(args.need('service'));
      const match = args.text('match');
      if (match === undefined) throw new CliError('CLI_USAGE', 'rule set needs --match (an empty one takes every SMS)');
      compiles('match', match, 'i');
      const code = args.text('code');
      if (code && groups(compiles('code', code, '')) === 0) {
        throw new CliError('CLI_BAD_INPUT', '--code needs at least one capturing group, such as (\\d{6}): the groups joined are the code');
      }
      await (await ctx.store()).setRule(s.id, { match, code: code || undefined });
      ctx.out(`${s.name}: an SMS matching /${match}/i is theirs; its code is ${code ? `what /${code}/ captures` : 'the first 4 to 8 digits'}`);
      ctx.out('the server picks the rule up within seconds');
    },
  },
  {
    name: 'rule list',
    usage: '[--json]',
    about: 'the rules admins set over the catalogue\'s own',
    flags: { json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const rules = [...(await (await ctx.store()).rules())].map(([id, r]) => ({
        service: id, serviceCode: serviceWord(id), name: serviceById(id)?.name ?? id, match: r.match, code: r.code ?? null,
      }));
      if (args.on('json')) return ctx.json(rules);
      if (rules.length === 0) return ctx.out('no rules set: the catalogue\'s own apply');
      for (const line of table(['code', 'service', 'match', 'code regex'], rules.map((r) => [r.serviceCode, r.service, r.match, r.code ?? '']))) ctx.out(line);
    },
  },
];
