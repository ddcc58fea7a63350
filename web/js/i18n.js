// Russian and English. The language comes from the account's setting, else the browser's, else English.
import en from './lang/en.js';
import ru from './lang/ru.js';

const dictionaries = { en, ru };
let current = 'en';

/** The language a visitor gets before any account setting: the browser's, if we speak it. */
export function browserLanguage() {
  return (navigator.languages ?? [navigator.language]).some((l) => /^ru\b/i.test(l)) ? 'ru' : 'en';
}

export function setLanguage(lang) {
  current = dictionaries[lang] ? lang : 'en';
  document.documentElement.lang = current;
}

export function language() {
  return current;
}

/** The text for `key` in the current language (English when missing), with {name} filled from `vars`. */
export function t(key, vars = {}) {
  const text = dictionaries[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? `{${name}}`));
}

/** A date and time in the current language's manner. */
export function when(iso) {
  return new Date(iso).toLocaleString(current === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
}

/** A country's name in the current language. */
export function countryName(c) {
  return c?.name?.[current] ?? c?.name?.en ?? c?.id ?? '';
}
