import type { Store } from '../../actors/index.ts';
import { CliError, type Command } from './command.ts';
import { table } from './output.ts';

interface SettingDef {
  /** The key the server reads it by. */
  key: string;
  values: readonly string[];
  /** What the server does while the key is unset. */
  fallback: string;
  about: string;
}

/** The settings an admin may change while the server runs; the server reads each at the moment it needs it. */
const settings: Readonly<Record<string, SettingDef>> = {
  'early-cancel-denied': {
    key: 'earlyCancelDenied', values: ['on', 'off'], fallback: 'off',
    about: 'refuse an sms-activate client\'s cancel in an activation\'s first two minutes, as sms-activate does',
  },
};

const names = Object.keys(settings).join(', ');

function settingOf(name: string): SettingDef {
  const def = settings[name.toLowerCase()];
  if (!def) throw new CliError('CLI_BAD_INPUT', `there is no setting "${name}"; there are: ${names}`);
  return def;
}

async function read(store: Store, name: string, def: SettingDef) {
  const stored = await store.setting(def.key);
  return { name, value: stored ?? def.fallback, isDefault: stored === undefined, values: def.values, about: def.about };
}

export const settingCommands: Command[] = [
  {
    name: 'setting set',
    usage: `<name> <value>   (${Object.entries(settings).map(([n, d]) => `${n} ${d.values.join('|')}`).join('; ')})`,
    about: 'change a setting; the running server follows at once',
    flags: {},
    positionals: ['name', 'value'],
    async run(args, ctx) {
      const name = args.positional('name').toLowerCase();
      const def = settingOf(name);
      const value = args.positional('value').toLowerCase();
      if (!def.values.includes(value)) {
        throw new CliError('CLI_BAD_INPUT', `${name} is ${def.values.join(' or ')}, not "${args.positional('value')}"`);
      }
      await (await ctx.store()).setSetting(def.key, value);
      ctx.out(`${name} is ${value}`);
    },
  },
  {
    name: 'setting get',
    usage: '<name> [--json]',
    about: 'a setting\'s value',
    flags: { json: 'boolean' },
    positionals: ['name'],
    readsOnly: true,
    async run(args, ctx) {
      const name = args.positional('name').toLowerCase();
      const s = await read(await ctx.store(), name, settingOf(name));
      if (args.on('json')) return ctx.json(s);
      ctx.out(`${name} is ${s.value}${s.isDefault ? ' (the default)' : ''}`);
    },
  },
  {
    name: 'setting list',
    usage: '[--json]',
    about: 'every setting, its value and what it does',
    flags: { json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const store = await ctx.store();
      const all = await Promise.all(Object.entries(settings).map(([name, def]) => read(store, name, def)));
      if (args.on('json')) return ctx.json(all);
      const rows = all.map((s) => [s.name, s.value + (s.isDefault ? ' (default)' : ''), s.values.join('|'), s.about]);
      for (const line of table(['name', 'value', 'values', 'what it does'], rows)) ctx.out(line);
    },
  },
];
