import test from 'ava';
// @ts-expect-error: the web application is plain JavaScript, read here as data
import en from '../../web/js/lang/en.js';
// @ts-expect-error: as above
import ru from '../../web/js/lang/ru.js';

/** Words that are the same in both languages and so live only in the English dictionary. */
const shared = new Set(['app.name', 'lang.en', 'lang.ru']);

test('the Russian dictionary has every English key (none left to fall back) and no key English lacks', (t) => {
  const enKeys = Object.keys(en as Record<string, string>).filter((k) => !shared.has(k)).sort();
  const ruKeys = Object.keys(ru as Record<string, string>).sort();
  t.deepEqual(enKeys.filter((k) => !ruKeys.includes(k)), []);
  t.deepEqual(ruKeys.filter((k) => !enKeys.includes(k)), []);
});

test('a translation keeps the placeholders of its English text', (t) => {
  for (const [key, text] of Object.entries(ru as Record<string, string>)) {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    t.deepEqual(names(text), names((en as Record<string, string>)[key]!), key);
  }
});
