import { country, formatRubles } from '../../actors/index.ts';
import type { Command } from './command.ts';
import { table } from './output.ts';
import { countryOf, rubles } from './words.ts';

/** Rent prices: what renting a number for 24 hours costs per country (shorter or longer rents pay pro rata). */
export const rentCommands: Command[] = [
  {
    name: 'rent price',
    usage: '--country <code> --price <rubles>',
    about: 'the price of renting a number for 24 hours in a country (ru, kz, uk …)',
    flags: { country: 'string', price: 'string' },
    async run(args, ctx) {
      const c = countryOf(args.need('country'));
      const price = rubles('price', args.need('price'), 0);
      const store = await ctx.store();
      const was = (await store.rentPrices()).find((p) => p.country === c.id);
      await store.setRentPrice(c.id, price);
      ctx.out(`a day's rent in ${c.eng}: ${formatRubles(price)}${was ? ` (was ${formatRubles(was.price)})` : ''}`);
    },
  },
  {
    name: 'rent prices',
    usage: '[--json]',
    about: 'where numbers are rented out and for how much a day',
    flags: { json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const rows = (await (await ctx.store()).rentPrices()).map((p) => ({
        country: p.country, countryCode: country(p.country)?.getsms ?? p.country, price: formatRubles(p.price),
      }));
      if (args.on('json')) return ctx.json(rows);
      if (rows.length === 0) return ctx.out('no rent prices: no number is rented out');
      for (const line of table(['country', 'price a day'], rows.map((r) => [r.countryCode, r.price]), [1])) ctx.out(line);
    },
  },
];
