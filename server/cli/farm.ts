import { formatRubles, recordSimMove, tellSimNumber } from '../../actors/index.ts';
import { CliError, type Command } from './command.ts';
import { table } from './output.ts';
import { accountOf, countryWord, serviceWord, when } from './words.ts';

const maxLimit = 1000;

export const farmCommands: Command[] = [
  {
    name: 'sims list',
    usage: '[--json]',
    about: 'every SIM the farm has seen, where it sits and whether it is online',
    flags: { json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const sims = await (await ctx.store()).sims();
      if (args.on('json')) {
        return ctx.json(sims.map((s) => ({
          iccid: s.iccid, imsi: s.imsi, phone: s.phone, country: countryWord(s.country), operator: s.operator,
          channel: s.channel, slot: s.slot, canForward: s.canForward, online: s.online, seenAt: new Date(s.seenAt).toISOString(),
          usedFor: s.usedFor.map(serviceWord),
        })));
      }
      if (sims.length === 0) return ctx.out('no SIMs seen yet: they appear once the server has read the modems');
      const rows = sims.map((s) => [
        s.phone, s.iccid, countryWord(s.country), s.operator, s.channel, String(s.slot), s.online ? 'online' : 'offline',
        s.canForward ? 'yes' : 'no', when(s.seenAt), s.usedFor.map(serviceWord).join(','),
      ]);
      const head = ['phone', 'iccid', 'country', 'operator', 'channel', 'slot', 'state', 'forwarding', 'seen', 'used for'];
      for (const line of table(head, rows)) ctx.out(line);
    },
  },
  {
    name: 'sims move',
    usage: '--iccid <iccid> --channel <channel> --slot <n>',
    about: 'record that a SIM goes to another slot; it shows "moving" until the farm sees it there',
    flags: { iccid: 'string', channel: 'string', slot: 'string' },
    async run(args, ctx) {
      const store = await ctx.store();
      const iccid = args.need('iccid');
      const r = await recordSimMove(store, { iccid, channel: args.need('channel'), slot: Number(args.need('slot')), by: 0, at: Date.now() });
      if (!r.ok && r.code === 'noSim') throw new CliError('CLI_BAD_INPUT', `no SIM has the ICCID ${iccid}`);
      if (!r.ok) throw new CliError('CLI_BAD_INPUT', '--slot must be a slot number from 1 to 64');
      const { from, to, id } = r.move;
      ctx.out(`move ${id}: SIM ${iccid} from ${from.channel} slot ${from.slot} to ${to.channel} slot ${to.slot}; moving until it is seen there`);
    },
  },
  {
    name: 'sims number',
    usage: '--iccid <iccid> --phone <digits with country code>',
    about: "tell a SIM's number when neither AT+CNUM nor the operator's USSD knows it",
    flags: { iccid: 'string', phone: 'string' },
    async run(args, ctx) {
      const iccid = args.need('iccid');
      const r = await tellSimNumber(await ctx.store(), iccid, args.need('phone'));
      if (!r.ok && r.code === 'badPhone') throw new CliError('CLI_BAD_INPUT', '--phone must be the number with its country code, 10 to 15 digits');
      if (!r.ok) throw new CliError('CLI_BAD_INPUT', `no SIM has the ICCID ${iccid}`);
      ctx.out(`SIM ${iccid} has the number ${r.phone}; its channel puts it on sale at its next sweep`);
    },
  },
  {
    name: 'sims moves',
    usage: '[--pending] [--json]',
    about: 'SIM moves, newest first: where from, where to, and whether the SIM was seen there yet',
    flags: { pending: 'boolean', json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const moves = await (await ctx.store()).moves({ pending: args.on('pending'), limit: 200 });
      if (args.on('json')) {
        return ctx.json(moves.map((m) => ({ ...m, at: new Date(m.at).toISOString(), doneAt: m.doneAt === null ? null : new Date(m.doneAt).toISOString() })));
      }
      if (moves.length === 0) return ctx.out(args.on('pending') ? 'no SIM is moving' : 'no SIM moves yet');
      const rows = moves.map((m) => [
        String(m.id), m.iccid, `${m.from.channel}/${m.from.slot}`, `${m.to.channel}/${m.to.slot}`, m.doneAt === null ? 'moving' : 'done', when(m.at),
      ]);
      for (const line of table(['id', 'iccid', 'from', 'to', 'state', 'asked'], rows)) ctx.out(line);
    },
  },
  {
    name: 'channels list',
    usage: '[--json]',
    about: 'every modem channel (MODEM_PORTS) as the server last saw it: state, slot, SIM, network, last error',
    flags: { json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const channels = await (await ctx.store()).channels();
      if (args.on('json')) {
        return ctx.json(channels.map((c) => ({ ...c, updatedAt: new Date(c.updatedAt).toISOString() })));
      }
      if (channels.length === 0) return ctx.out('no modem channels seen yet: they appear once the server runs with MODEM_PORTS');
      const rows = channels.map((c) => [
        c.id, c.state, String(c.slot), c.phone ?? '', c.iccid ?? '', c.operator ?? '', c.registered ? 'yes' : 'no',
        c.signalDbm === null ? '' : `${c.signalDbm} dBm`, c.lastError ?? '', when(c.updatedAt),
      ]);
      const head = ['channel', 'state', 'slot', 'phone', 'iccid', 'operator', 'registered', 'signal', 'last error', 'seen'];
      for (const line of table(head, rows)) ctx.out(line);
    },
  },
  {
    name: 'activations list',
    usage: `[--live] [--email <e>] [--limit <N, default 20, at most ${maxLimit}>] [--json]`,
    about: 'the newest activations, of everyone or of one account',
    flags: { live: 'boolean', email: 'string', limit: 'string', json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const limitText = args.text('limit') ?? '20';
      const limit = Number(limitText);
      if (!/^\d+$/.test(limitText) || limit < 1 || limit > maxLimit) {
        throw new CliError('CLI_BAD_INPUT', `--limit must be a whole number from 1 to ${maxLimit}, not "${limitText}"`);
      }
      const store = await ctx.store();
      const email = args.text('email');
      const account = email === undefined ? undefined : await accountOf(store, args.need('email'));
      const list = await store.activations({ accountId: account?.id, live: args.on('live') ? true : undefined, limit });
      const emails = new Map((await store.accounts()).map((a) => [a.id, a.email]));
      if (args.on('json')) {
        return ctx.json(list.map((a) => ({
          id: a.id, email: emails.get(a.accountId) ?? null, service: a.service, serviceCode: serviceWord(a.service),
          phone: a.phone, country: countryWord(a.country), operator: a.operator, price: formatRubles(a.price),
          state: a.state, live: a.live, code: a.code, createdAt: new Date(a.createdAt).toISOString(),
          expiresAt: new Date(a.expiresAt).toISOString(),
        })));
      }
      if (list.length === 0) return ctx.out(args.on('live') ? 'no live activations' : 'no activations yet');
      const rows = list.map((a) => [
        String(a.id), emails.get(a.accountId) ?? String(a.accountId), serviceWord(a.service), a.phone, countryWord(a.country),
        formatRubles(a.price), a.state, a.code ?? '', when(a.createdAt),
      ]);
      for (const line of table(['id', 'account', 'service', 'phone', 'country', 'price', 'state', 'code', 'created'], rows, [5])) ctx.out(line);
    },
  },
];
