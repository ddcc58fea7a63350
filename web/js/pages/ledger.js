// A ledger as a table: newest entry first, amounts signed, each with the balance after it; a page at a time.
import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { t, when } from '../i18n.js';
import { pager } from '../pager.js';

function ledgerTable(entries) {
  if (entries.length === 0) return h('p', { class: 'muted' }, t('ledger.empty'));
  return h('div', { class: 'table-scroll' }, h('table', { class: 'ledger' },
    h('thead', {}, h('tr', {}, ['ledger.date', 'ledger.reason', 'ledger.amount', 'ledger.after', 'ledger.note'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, entries.map((e) => h('tr', {},
      h('td', {}, when(e.at)), h('td', {}, t(`reason.${e.reason}`)),
      h('td', { class: `num ${e.amount.startsWith('-') ? 'neg' : 'pos'}` }, `${e.amount.startsWith('-') ? '' : '+'}${e.amount} ₽`),
      h('td', { class: 'num' }, `${e.balanceAfter} ₽`), h('td', {}, e.note))))));
}

/**
 * The ledger at `path` (`/me/ledger`, `/admin/accounts/1/ledger`), a page at a time with a pager once it has
 * more than one page. `first` is the answer for page 0 when the caller already has it.
 */
export function pagedLedger(app, path, first) {
  const box = h('div', {});
  const pages = pager((page) => void load(page));
  const el = h('div', {}, box, pages.el);

  function show(r) {
    fill(box, ledgerTable(r.entries));
    pages.el.hidden = pages.show(r) === 1;
  }
  async function load(page) {
    try {
      show(await api('GET', `${path}?page=${page}`));
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
  }
  if (first) show(first);
  else void load(0);
  return el;
}
