// Refill account: how money arrives, the balance, and the account's own ledger.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { pagedLedger } from './ledger.js';

export function refillPage(app) {
  const el = h('section', {},
    h('h1', {}, t('refill.title')),
    h('div', { class: 'card' },
      h('p', {}, t('refill.how')),
      h('p', { class: 'big' }, `${t('account.balance')}: `, h('strong', {}, `${app.account.balance} ₽`))),
    h('div', { class: 'card' }, h('h2', {}, t('refill.ledger')), pagedLedger(app, '/me/ledger')));
  return { el, title: t('refill.title') };
}

