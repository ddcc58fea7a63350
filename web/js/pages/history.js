// History: every activation of the account, filtered by service, status and dates, a page at a time.
import { api } from '../api.js';
import { field, fill, h, select } from '../dom.js';
import { t, when } from '../i18n.js';
import { pager } from '../pager.js';

const pageSize = 20;

export function historyPage(app) {
  const filters = { service: '', state: 'all', from: '', to: '' };
  const service = h('select', { name: 'service' }, h('option', { value: '' }, t('history.allServices')));
  const state = select([['all', t('history.all')], ['live', t('history.liveOnly')], ['ended', t('history.ended')]], 'all', { name: 'state' });
  const from = h('input', { type: 'date', name: 'from' });
  const to = h('input', { type: 'date', name: 'to' });
  const body = h('tbody');
  const pages = pager(() => void load());

  const form = h('form', { class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    Object.assign(filters, { service: service.value, state: state.value, from: from.value, to: to.value });
    pages.reset();
    void load();
  } },
    field(t('history.service'), service), field(t('history.state'), state), field(t('history.from'), from), field(t('history.to'), to),
    h('button', { type: 'submit', class: 'btn primary' }, t('history.apply')));

  const el = h('section', {},
    h('h1', {}, t('history.title')),
    h('div', { class: 'card' }, form,
      h('div', { class: 'table-scroll' }, h('table', { class: 'history' },
        h('thead', {}, h('tr', {}, ['history.date', 'history.id', 'order.service', 'act.number', 'act.code', 'order.price', 'act.status']
          .map((k) => h('th', { scope: 'col' }, t(k))))),
        body)),
      pages.el));

  async function load() {
    const q = new URLSearchParams({ page: String(pages.page), limit: String(pageSize), state: filters.state });
    if (filters.service) q.set('service', filters.service);
    // Days are the user's own: local midnight to the next local midnight, sent as instants.
    if (filters.from) q.set('from', new Date(`${filters.from}T00:00`).toISOString());
    if (filters.to) q.set('to', new Date(new Date(`${filters.to}T00:00`).getTime() + 86_400_000).toISOString());
    try {
      const r = await api('GET', `/activations?${q}`);
      fill(body, r.activations.length === 0
        ? h('tr', {}, h('td', { colspan: 7, class: 'muted' }, t('history.empty')))
        : r.activations.map((a) => h('tr', {},
          h('td', {}, when(a.createdAt)), h('td', {}, String(a.id)), h('td', {}, a.serviceName),
          h('td', { class: 'mono' }, `+${a.phone}`), h('td', { class: 'mono' }, a.code ?? '—'), h('td', { class: 'num' }, `${a.price} ₽`),
          h('td', {}, t(`state.${a.state}`)))));
      pages.show(r);
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
  }

  api('GET', '/catalogue').then((c) => {
    fill(service, h('option', { value: '' }, t('history.allServices')), c.services.map((s) => h('option', { value: s.id }, s.name)));
  }).catch(() => {});
  void load();
  return { el, title: t('history.title') };
}
