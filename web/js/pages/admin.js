// Administration: prices per service and country, announcements, users with balances, their ledgers and top-ups,
// and the tokens of remote modem hosts (admin-agents.js).
import { api } from '../api.js';
import { field, fill, h } from '../dom.js';
import { countryName, t } from '../i18n.js';
import { agentTokensCard } from './admin-agents.js';
import { pagedLedger } from './ledger.js';

export function adminPage(app) {
  let catalogue = null;
  let countryId = 'ru';
  const countrySelect = h('select', { name: 'country', onchange: (e) => { countryId = e.target.value; drawPrices(); } });
  const priceBody = h('tbody');
  const users = h('tbody');
  const ledgerBox = h('div', { 'aria-live': 'polite' });
  const announceText = h('textarea', { name: 'announcement', rows: 2, maxlength: 500, required: true });

  const el = h('section', {},
    h('h1', {}, t('admin.title')),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card', 'aria-labelledby': 'prices-title' },
        h('h2', { id: 'prices-title' }, t('admin.prices')),
        h('p', { class: 'muted' }, t('admin.pricesAbout')),
        field(t('order.country'), countrySelect),
        h('div', { class: 'table-scroll tall' }, h('table', { class: 'prices' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('order.service')), h('th', { scope: 'col' }, t('admin.price')), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('admin.save'))))),
          priceBody))),
      h('div', {},
        h('section', { class: 'card', 'aria-labelledby': 'ann-title' },
          h('h2', { id: 'ann-title' }, t('admin.announcements')),
          h('form', { onsubmit: async (e) => {
            e.preventDefault();
            try {
              await api('POST', '/admin/announcements', { text: announceText.value });
              announceText.value = '';
              app.toast(t('admin.published'));
            } catch (err) {
              app.toast(app.errorText(err), 'error');
            }
          } }, field(t('admin.announceText'), announceText), h('button', { type: 'submit', class: 'btn primary' }, t('admin.announce')))),
        h('section', { class: 'card', 'aria-labelledby': 'users-title' },
          h('h2', { id: 'users-title' }, t('admin.users')),
          h('div', { class: 'table-scroll' }, h('table', { class: 'users' },
            h('thead', {}, h('tr', {}, ['admin.email', 'admin.role', 'account.balance'].map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('admin.ledger'))))),
            users)),
          ledgerBox),
        agentTokensCard(app))));

  async function loadPrices() {
    try {
      catalogue = await api('GET', '/admin/prices');
      fill(countrySelect, catalogue.countries.map((c) => h('option', { value: c.id, selected: c.id === countryId }, countryName(c))));
      drawPrices();
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
  }

  function drawPrices() {
    const prices = new Map(catalogue.prices.filter((p) => p.country === countryId).map((p) => [p.service, p.price]));
    const countryLabel = countryName(catalogue.countries.find((c) => c.id === countryId));
    fill(priceBody, catalogue.services.map((s) => {
      const input = h('input', {
        type: 'text', inputmode: 'decimal', class: 'price', value: prices.get(s.id) ?? '', placeholder: t('admin.notSold'),
        'aria-label': `${s.name}, ${countryLabel}`, 'data-service': s.id, pattern: '\\d{1,9}([.,]\\d{1,2})?',
      });
      const save = h('button', { type: 'submit', class: 'btn small', form: `price-${s.id}`, 'aria-label': `${t('admin.save')}: ${s.name}` }, t('admin.save'));
      return h('tr', { 'data-service': s.id },
        h('th', { scope: 'row' }, s.name),
        h('td', {}, h('form', { id: `price-${s.id}`, class: 'inline', onsubmit: async (e) => {
          e.preventDefault();
          save.disabled = true;
          try {
            const r = await api('PUT', '/admin/prices', { service: s.id, country: countryId, price: input.value.replace(',', '.') });
            const row = catalogue.prices.find((p) => p.service === s.id && p.country === countryId);
            if (row) row.price = r.price;
            else catalogue.prices.push({ service: s.id, country: countryId, price: r.price });
            input.value = r.price;
            app.toast(t('admin.saved', { service: s.name, country: countryLabel, price: r.price }));
          } catch (err) {
            app.toast(app.errorText(err), 'error');
          } finally {
            save.disabled = false;
          }
        } }, input)),
        h('td', {}, save));
    }));
  }

  async function loadUsers() {
    try {
      const { accounts } = await api('GET', '/admin/accounts');
      fill(users, accounts.map((a) => h('tr', { 'data-account': a.id },
        h('td', {}, a.email), h('td', {}, a.role), h('td', { class: 'num' }, `${a.balance} ₽`),
        h('td', {}, h('button', { type: 'button', class: 'btn small', onclick: () => void showLedger(a) }, t('admin.ledger'))))));
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
  }

  async function showLedger(a) {
    try {
      const r = await api('GET', `/admin/accounts/${a.id}/ledger`);
      const amount = h('input', { type: 'text', inputmode: 'decimal', required: true, pattern: '\\d{1,9}([.,]\\d{1,2})?' });
      const note = h('input', { type: 'text', maxlength: 200 });
      // One idempotency key per form: a double click or a retried request credits once.
      let key = crypto.randomUUID();
      const heading = h('h3', { tabindex: '-1' }, t('admin.ledgerOf', { email: r.account.email }), ` · ${r.account.balance} ₽`);
      fill(ledgerBox, heading,
        h('form', { class: 'row topup', onsubmit: async (e) => {
          e.preventDefault();
          try {
            const done = await api('POST', `/admin/accounts/${a.id}/topup`, { amount: amount.value.replace(',', '.'), note: note.value, key });
            key = crypto.randomUUID();
            app.toast(t('admin.credited', { email: r.account.email, balance: done.balance }));
            await loadUsers();
            await showLedger(a);
          } catch (err) {
            app.toast(app.errorText(err), 'error');
          }
        } }, field(t('admin.amount'), amount), field(t('admin.note'), note), h('button', { type: 'submit', class: 'btn primary' }, t('admin.topUp'))),
        pagedLedger(app, `/admin/accounts/${a.id}/ledger`, r));
      heading.focus();
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
  }

  void loadPrices();
  void loadUsers();
  return { el, title: t('admin.title') };
}
