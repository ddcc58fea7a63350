// A ledger as a table: newest entry first, amounts signed, each with the balance after it.
import { h } from '../dom.js';
import { t, when } from '../i18n.js';

export function ledgerTable(entries) {
  if (entries.length === 0) return h('p', { class: 'muted' }, t('ledger.empty'));
  return h('div', { class: 'table-scroll' }, h('table', { class: 'ledger' },
    h('thead', {}, h('tr', {}, ['ledger.date', 'ledger.reason', 'ledger.amount', 'ledger.after', 'ledger.note'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, entries.map((e) => h('tr', {},
      h('td', {}, when(e.at)), h('td', {}, t(`reason.${e.reason}`)),
      h('td', { class: `num ${e.amount.startsWith('-') ? 'neg' : 'pos'}` }, `${e.amount.startsWith('-') ? '' : '+'}${e.amount} ₽`),
      h('td', { class: 'num' }, `${e.balanceAfter} ₽`), h('td', {}, e.note))))));
}
