// Requests: order a number (live price and availability), and the live activations with their buttons.
// Codes appear without reload: the live channel pushes every change of the user's activations.
import { api } from '../api.js';
import { copyButton, field, fill, h } from '../dom.js';
import { countryName, t } from '../i18n.js';
import { openLive } from '../live.js';

const catalogueEveryMs = 20_000;

export function requestsPage(app) {
  const activations = new Map();
  let catalogue = null;
  let countryId = sessionStorage.getItem('getsms.country') ?? 'ru';
  let operator = '';
  let search = '';

  const countrySelect = h('select', { onchange: (e) => { countryId = e.target.value; operator = ''; sessionStorage.setItem('getsms.country', countryId); void loadCatalogue(); } });
  const operatorSelect = h('select', { onchange: (e) => { operator = e.target.value; void loadCatalogue(); } });
  const searchInput = h('input', { type: 'search', autocomplete: 'off', oninput: (e) => { search = e.target.value.trim().toLowerCase(); drawOffers(); } });
  const offersBody = h('tbody');
  const offersTable = h('table', { class: 'offers' },
    h('caption', { class: 'sr-only' }, t('order.title')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('order.service')), h('th', { scope: 'col', class: 'num' }, t('order.price')),
      h('th', { scope: 'col', class: 'num' }, t('order.available')), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('order.buy'))))),
    offersBody);
  const list = h('ul', { class: 'activations', 'aria-live': 'off' });
  const liveState = h('span', { class: 'live-state', 'data-state': 'connecting' }, t('requests.offline'));

  const el = h('section', {},
    h('h1', {}, t('requests.title')),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card', 'aria-labelledby': 'order-title' },
        h('h2', { id: 'order-title' }, t('order.title')),
        h('div', { class: 'row' }, field(t('order.country'), countrySelect), field(t('order.operator'), operatorSelect)),
        field(t('order.search'), searchInput),
        h('div', { class: 'table-scroll' }, offersTable)),
      h('section', { class: 'card first-on-phone', 'aria-labelledby': 'live-title' },
        h('div', { class: 'card-head' }, h('h2', { id: 'live-title' }, t('requests.list')), liveState),
        list)));

  async function loadCatalogue() {
    try {
      const q = new URLSearchParams({ country: countryId, ...(operator ? { operator } : {}) });
      catalogue = await api('GET', `/catalogue?${q}`);
      drawPickers();
      drawOffers();
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
  }

  function drawPickers() {
    fill(countrySelect, catalogue.countries.map((c) => h('option', { value: c.id, selected: c.id === catalogue.country }, countryName(c))));
    const c = catalogue.countries.find((x) => x.id === catalogue.country);
    fill(operatorSelect, h('option', { value: '' }, t('order.anyOperator')),
      (c?.operators ?? []).map((o) => h('option', { value: o, selected: o === operator }, o)));
  }

  function drawOffers() {
    if (!catalogue) return;
    const names = new Map(catalogue.services.map((s) => [s.id, s.name]));
    const order = new Map(catalogue.services.map((s, i) => [s.id, i])); // the catalogue's order: the spec's list
    const rows = catalogue.offers
      .map((o) => ({ ...o, name: names.get(o.service) ?? o.service }))
      .sort((a, b) => (order.get(a.service) ?? 999) - (order.get(b.service) ?? 999))
      .filter((o) => !search || o.name.toLowerCase().includes(search) || o.service.includes(search));
    if (rows.length === 0) return fill(offersBody, h('tr', {}, h('td', { colspan: 4, class: 'muted' }, t('order.none'))));
    fill(offersBody, rows.map((o) => h('tr', { 'data-service': o.service },
      h('th', { scope: 'row' }, o.name),
      h('td', { class: 'num' }, `${o.price} ₽`),
      h('td', { class: 'num' }, String(o.count)),
      h('td', {}, h('button', {
        type: 'button', class: 'btn small primary', disabled: o.count === 0,
        'aria-label': t('order.buyLabel', { service: o.name, price: o.price }),
        onclick: (e) => void buy(o, e.currentTarget),
      }, t('order.buy'))))));
  }

  async function buy(offer, button) {
    button.disabled = true;
    try {
      const { activation } = await api('POST', '/activations', { service: offer.service, country: catalogue.country, ...(operator ? { operator } : {}) });
      activations.set(activation.id, activation);
      drawList();
      app.toast(t('order.bought', { phone: `+${activation.phone}`, service: activation.serviceName }));
      list.querySelector(`[data-id="${activation.id}"] button`)?.focus();
      void app.refreshAccount();
      void loadCatalogue();
    } catch (err) {
      app.toast(app.errorText(err), 'error');
      button.disabled = false;
    }
  }

  async function loadActivations() {
    try {
      const { activations: live } = await api('GET', '/activations?state=live&limit=100');
      for (const a of live) activations.set(a.id, a);
      drawList();
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
  }

  async function refreshOne(id) {
    try {
      const { activation } = await api('GET', `/activations/${id}`);
      activations.set(activation.id, activation);
      drawList();
    } catch {
      // gone or not ours: leave the card as the event left it
    }
  }

  function drawList() {
    const sorted = [...activations.values()].sort((a, b) => b.id - a.id);
    if (sorted.length === 0) return fill(list, h('li', { class: 'empty muted' }, t('requests.empty')));
    const focused = document.activeElement?.dataset?.focusKey;
    fill(list, sorted.map(card));
    if (focused) list.querySelector(`[data-focus-key="${focused}"]`)?.focus();
  }

  function card(a) {
    const buttons = a.commands.map((c) => h('button', {
      type: 'button', class: `btn small ${c === 'finish' || c === 'ready' ? 'primary' : c === 'cancel' || c === 'used' ? 'danger' : ''}`,
      'data-command': c, 'data-focus-key': `${a.id}:${c}`, title: c === 'ready' ? t('cmd.readyHint') : undefined,
      onclick: (e) => void command(a, c, e.currentTarget),
    }, t(`cmd.${c}`)));
    return h('li', { class: `activation ${a.live ? '' : 'ended'}`, 'data-id': a.id, 'data-state': a.state },
      h('div', { class: 'act-head' },
        h('strong', {}, a.serviceName), h('span', { class: 'muted' }, ` #${a.id} · ${a.price} ₽`)),
      h('div', { class: 'act-body' },
        h('div', {}, h('div', { class: 'label' }, t('act.number')),
          h('div', { class: 'phone' }, h('span', { class: 'mono' }, `+${a.phone}`), copyButton(() => a.phone, t('act.copy'), t('act.copied')))),
        h('div', {}, h('div', { class: 'label' }, t('act.code')),
          h('div', { class: `code ${a.code ? 'has' : ''}`, 'aria-live': 'polite', 'data-code': a.code ?? '' },
            a.code ? [h('span', { class: 'mono' }, a.code), copyButton(() => a.code, t('act.copy'), t('act.copied'))] : h('span', { class: 'muted' }, t('act.noCode'))))),
      h('div', { class: 'act-foot' },
        h('span', { class: 'status' }, t(`state.${a.state}`)),
        a.live ? h('span', { class: 'left muted', 'data-expires': a.expiresAt }, remaining(a.expiresAt)) : null),
      a.messages.length > 1 ? h('details', {}, h('summary', {}, `${t('act.messages')} (${a.messages.length})`),
        h('ul', { class: 'messages' }, a.messages.map((m) => h('li', {}, h('span', { class: 'muted' }, `${m.from}: `), m.text)))) : null,
      buttons.length ? h('div', { class: 'actions' }, buttons) : null);
  }

  async function command(a, c, button) {
    button.disabled = true;
    try {
      const { activation } = await api('POST', `/activations/${a.id}/status`, { command: c });
      activations.set(activation.id, activation);
      drawList();
      void app.refreshAccount();
    } catch (err) {
      app.toast(app.errorText(err), 'error');
      button.disabled = false;
      void refreshOne(a.id);
    }
  }

  const stopLive = openLive({
    topics: ['activations'],
    onState: (s) => {
      liveState.dataset.state = s;
      liveState.textContent = s === 'live' ? t('requests.live') : t('requests.offline');
      if (s === 'live') void loadActivations(); // after a reconnect the API has the truth; events since then follow
    },
    onEvent: (e) => {
      if (e.type === 'live.gap') return void loadActivations();
      if (typeof e.activationId !== 'number') return;
      // The status region reads it out: screen readers hear the code as it arrives.
      if (e.type === 'sms.received' && e.code) app.toast(t('act.codeArrived', { code: e.code, phone: `+${e.phone}` }));
      const known = activations.get(e.activationId);
      if (known) {
        // Show what the event says at once; the full view (buttons, messages) follows from the API.
        activations.set(e.activationId, { ...known, state: e.status ?? known.state, code: e.code ?? known.code, live: e.live ?? known.live });
        drawList();
      }
      void refreshOne(e.activationId);
      void app.refreshAccount();
    },
  });
  const tick = setInterval(() => {
    for (const s of list.querySelectorAll('[data-expires]')) s.textContent = remaining(s.dataset.expires);
  }, 1000);
  const catalogueTimer = setInterval(() => void loadCatalogue(), catalogueEveryMs);

  void loadCatalogue();
  void loadActivations();
  return {
    el, title: t('requests.title'),
    dispose() {
      stopLive();
      clearInterval(tick);
      clearInterval(catalogueTimer);
    },
  };
}

function remaining(iso) {
  const ms = Math.max(0, Date.parse(iso) - Date.now());
  const s = Math.floor(ms / 1000);
  return `${t('act.left')}: ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
