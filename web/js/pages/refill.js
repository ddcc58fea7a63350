// Refill account: how money arrives, the balance, and the account's own ledger.
import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { t } from '../i18n.js';
import { ledgerTable } from './ledger.js';

export function refillPage(app) {
  const box = h('div', {}, h('p', { class: 'muted' }, t('common.loading')));
  const el = h('section', {},
    h('h1', {}, t('refill.title')),
    h('div', { class: 'card' },
      h('p', {}, t('refill.how')),
      h('p', { class: 'big' }, `${t('account.balance')}: `, h('strong', {}, `${app.account.balance} ₽`))),
    h('div', { class: 'card' }, h('h2', {}, t('refill.ledger')), box));
  api('GET', '/me/ledger').then((r) => fill(box, ledgerTable(r.entries))).catch((err) => app.toast(app.errorText(err), 'error'));
  return { el, title: t('refill.title') };
}

