import test from 'ava';
import { NoNumbersCache } from '../../../server/gateways/index.ts';

/** A cache on a clock the test moves. */
function cache(ttlMs: number, maxEntries?: number) {
  let now = 1_000;
  const c = new NoNumbersCache(ttlMs, () => now, maxEntries);
  return { c, advance: (ms: number) => (now += ms) };
}

test('a NO_NUMBERS answer is remembered for its window, then forgotten', (t) => {
  const { c, advance } = cache(30_000);
  t.false(c.has(1, 'telegram|ru||false'));
  c.remember(1, 'telegram|ru||false');
  t.true(c.has(1, 'telegram|ru||false'));
  advance(29_999);
  t.true(c.has(1, 'telegram|ru||false'));
  advance(1);
  t.false(c.has(1, 'telegram|ru||false'));
});

test('entries are per account and per key', (t) => {
  const { c } = cache(30_000);
  c.remember(1, 'telegram|ru||false');
  t.false(c.has(2, 'telegram|ru||false'));
  t.false(c.has(1, 'telegram|ua||false'));
  t.false(c.has(1, 'telegram|ru||true'));
});

test('forget drops one account\'s entries only', (t) => {
  const { c } = cache(30_000);
  c.remember(1, 'a');
  c.remember(1, 'b');
  c.remember(2, 'a');
  c.forget(1);
  t.false(c.has(1, 'a'));
  t.false(c.has(1, 'b'));
  t.true(c.has(2, 'a'));
  c.forget(3); // nothing there: no harm
  t.true(c.has(2, 'a'));
});

test('a window of 0 remembers nothing', (t) => {
  const { c } = cache(0);
  c.remember(1, 'a');
  t.false(c.has(1, 'a'));
});

test('bounded: at the limit it starts over rather than grow', (t) => {
  const { c } = cache(30_000, 3);
  c.remember(1, 'a');
  c.remember(1, 'a'); // the same entry again does not count twice
  c.remember(2, 'b');
  c.remember(3, 'c');
  t.true(c.has(1, 'a') && c.has(2, 'b') && c.has(3, 'c'));
  c.remember(4, 'd');
  t.false(c.has(1, 'a'));
  t.true(c.has(4, 'd'));
});
