import type { Command } from './command.ts';
import { table } from './output.ts';
import { when } from './words.ts';

export const announcementCommands: Command[] = [
  {
    name: 'announce add',
    usage: '"<text>"',
    about: 'post an announcement, e.g. "price change: WhatsApp (KZ) 49 rub"',
    flags: {},
    positionals: ['text...'],
    async run(args, ctx) {
      const a = await (await ctx.store()).addAnnouncement(args.positional('text'), ctx.clock.now());
      ctx.out(`announcement ${a.id} posted: ${a.text}`);
    },
  },
  {
    name: 'announce list',
    usage: '[--json]',
    about: 'every announcement',
    flags: { json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const all = await (await ctx.store()).announcements();
      if (args.on('json')) return ctx.json(all.map((a) => ({ id: a.id, text: a.text, at: new Date(a.at).toISOString() })));
      if (all.length === 0) return ctx.out('no announcements yet');
      for (const line of table(['id', 'at', 'text'], all.map((a) => [String(a.id), when(a.at), a.text]))) ctx.out(line);
    },
  },
];
