import { country, formatRubles, seedCatalogue, serviceById, serviceCode } from '../../actors/index.ts';
import type { Command } from './command.ts';
import { table } from './output.ts';
import { countryOf, rubles, service } from './words.ts';

export const priceCommands: Command[] = [
  {
    name: 'price set',
    usage: '--service <code> --country <code> --price <rubles>',
    about: 'the price of a service in a country (wa, tg, gm or whatsapp …; ru, kz, uk …)',
    flags: { service: 'string', country: 'string', price: 'string' },
    async run(args, ctx) {
      const s = service(args.need('service'));
      const c = countryOf(args.need('country'));
      const price = rubles('price', args.need('price'), 0);
      const store = await ctx.store();
      // The server puts every default price on sale on first start, but only into an
      // empty price table: one price set before that would be all there is to buy.
      await seedCatalogue(store);
      const was = (await store.prices()).find((p) => p.service === s.id && p.country === c.id);
      await store.setPrice(s.id, c.id, price);
      ctx.out(`${s.name} in ${c.eng}: ${formatRubles(price)}${was ? ` (was ${formatRubles(was.price)})` : ''}`);
    },
  },
  {
    name: 'price list',
    usage: '[--service <code>] [--country <code>] [--json]',
    about: 'what is on sale and for how much',
    flags: { service: 'string', country: 'string', json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const s = args.text('service') === undefined ? undefined : service(args.need('service'));
      const c = args.text('country') === undefined ? undefined : countryOf(args.need('country'));
      const rows = (await (await ctx.store()).prices())
        .filter((p) => (!s || p.service === s.id) && (!c || p.country === c.id))
        .map((p) => {
          const svc = serviceById(p.service);
          return {
            service: p.service, name: svc?.name ?? p.service, getsms: (svc && serviceCode('getsms', svc)) ?? null,
            smsActivate: (svc && serviceCode('smsActivate', svc)) ?? null, country: p.country,
            countryCode: country(p.country)?.getsms ?? p.country, price: formatRubles(p.price),
          };
        })
        .sort((a, b) => (a.getsms ?? a.service).localeCompare(b.getsms ?? b.service) || a.countryCode.localeCompare(b.countryCode));
      if (args.on('json')) return ctx.json(rows);
      if (rows.length === 0) return ctx.out('no prices match: nothing is on sale there');
      const cells = rows.map((r) => [r.getsms ?? '-', r.service, r.countryCode, r.price, r.name]);
      for (const line of table(['code', 'service', 'country', 'price', 'name'], cells, [3])) ctx.out(line);
    },
  },
];
