import test from 'ava';
import fc from 'fast-check';
import { balanceIn } from '../../actors/line/index.ts';
import { ussdText } from '../../modems/drivers/ussd.ts';
import { runs, seed } from './runs.ts';

/**
 * Operators' USSD replies under fuzzing: whatever text and data coding scheme a modem reports, the USSD
 * decoder gives a string and the balance reader an integer number of kopecks or nothing, never a throw.
 */

/** Reply-like text: operators' words, digits, separators, currencies, hex, and anything else. */
const replyText = fc.array(fc.oneof(
  fc.constantFrom('Баланс', 'balance', 'Balans:', 'остаток', 'на счёте', 'минус', '-', '−', ' ', '\u00a0', '\u202f', ',', '.', 'р.', 'руб', '₽', 'тг', '€',
    '\n', '"', '0', '12', '345', '1 234', '99999999999999999999', 'AA180C3602', '04100430043B0430043D0441'),
  fc.string({ maxLength: 20, unit: 'binary' }),
  fc.stringMatching(/^[0-9 .,]{1,40}$/),
), { maxLength: 30 }).map((parts) => parts.join(''));

test('ussdText: any string, any DCS, either wire: a string, never a throw', (t) => {
  const n = runs(2_000);
  let tried = 0;
  fc.assert(fc.property(
    fc.oneof(replyText, fc.stringMatching(/^[0-9A-Fa-f]{0,200}$/)),
    fc.option(fc.integer({ min: -1, max: 300 })),
    fc.constantFrom(undefined, 'text' as const, 'packed' as const),
    (str, dcs, wire) => {
      tried++;
      return typeof ussdText(str, dcs ?? undefined, wire) === 'string';
    },
  ), { numRuns: n, seed: seed() });
  t.log(`${tried} USSD strings`);
  t.pass();
});

test('balanceIn: any reply gives whole kopecks or nothing; a well-formed balance after any noise is read exactly', (t) => {
  const n = runs(2_000);
  let tried = 0;
  let read = 0;
  fc.assert(fc.property(replyText, (reply) => {
    tried++;
    const v = balanceIn(reply);
    if (v !== undefined) read++;
    return v === undefined || Number.isSafeInteger(v);
  }), { numRuns: n, seed: seed() });
  const noWords = replyText.filter((s) => !/\d|баланс|balans|balance|остаток|ostatok|сч[её]те|schete|guthaben|saldo/i.test(s));
  fc.assert(fc.property(noWords, fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 0, max: 99 }), fc.string({ maxLength: 40 }),
    (before, rubles, kopecks, after) => {
      tried++;
      const reply = `${before} Баланс: ${rubles},${String(kopecks).padStart(2, '0')} р. ${after}`;
      return balanceIn(reply) === rubles * 100 + kopecks;
    }), { numRuns: n, seed: seed() });
  t.log(`${tried} replies (${read} of the random ones held an amount)`);
  t.pass();
});
