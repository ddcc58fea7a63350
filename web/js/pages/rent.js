// Phone number rent: rent a number of a country for some hours, and watch every SMS it receives arrive live.
// Rents go through the same rent actors as the gateways' getRentNumber; the live channel carries the renter's
// rent.opened / rent.sms / rent.ended events on the user's own stream.
import { api } from '../api.js';
import { copyButton, field, fill, h } from '../dom.js';
import { countryName, t, when } from '../i18n.js';
import { openLive } from '../live.js';

const offersEveryMs = 30_000;

export function rentPage(app) {
  const rents = new Map();
  let offers = null;
  let countryId = sessionStorage.getItem('getsms.rentCountry') ?? 'ru';
  let hoursTimer;

  const countrySelect = h('select', { name: 'country', onchange: (e) => { countryId = e.target.value; sessionStorage.setItem('getsms.rentCountry', countryId); drawPrice(); } });
  const hoursInput = h('input', { type: 'number', name: 'hours', min: 2, max: 1344, step: 1, value: 4, required: true, inputmode: 'numeric', 'aria-describedby': 'rent-hours-hint', oninput: () => {
    clearTimeout(hoursTimer);
    hoursTimer = setTimeout(() => void loadOffers(), 300);
  } });
  const price = h('p', { class: 'rent-price', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('rent.do'));
  const form = h('form', { class: 'rent-form', onsubmit: (e) => { e.preventDefault(); void rent(); } },
    h('div', { class: 'row' }, field(t('rent.country'), countrySelect), field(t('rent.hours'), hoursInput)),
    h('small', { class: 'hint', id: 'rent-hours-hint' }, t('rent.hoursHint')),
    price, submit);
  const list = h('ul', { class: 'activations rents', 'aria-live': 'off' });
  const liveState = h('span', { class: 'live-state', 'data-state': 'connecting' }, t('requests.offline'));

  const el = h('section', {},
    h('h1', {}, t('rent.title')),
    h('p', { class: 'muted' }, t('rent.about')),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card', 'aria-labelledby': 'rent-form-title' }, h('h2', { id: 'rent-form-title' }, t('rent.new')), form),
      h('section', { class: 'card first-on-phone', 'aria-labelledby': 'rents-title' },
        h('div', { class: 'card-head' }, h('h2', { id: 'rents-title' }, t('rent.list')), liveState),
        list)));

  function hours() {
    const n = Number(hoursInput.value);
    return Number.isInteger(n) && n >= 2 && n <= 1344 ? n : undefined;
  }

  async function loadOffers() {
    const n = hours();
    if (n === undefined) return drawPrice();
    try {
      offers = await api('GET', `/rent/offers?hours=${n}`);
      fill(countrySelect, offers.offers.length === 0
        ? h('option', { value: '' }, t('rent.noCountries'))
        : offers.offers.map((o) => h('option', { value: o.country, selected: o.country === countryId },
          `${countryName({ id: o.country, name: o.name })} — ${o.dayPrice} ₽ / ${t('rent.day')}`)));
      if (!offers.offers.some((o) => o.country === countryId) && offers.offers[0]) countryId = offers.offers[0].country;
      drawPrice();
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
  }

  function drawPrice() {
    const n = hours();
    const o = offers?.offers.find((x) => x.country === countryId);
    submit.disabled = !o || n === undefined || o.free === 0 || offers.hours !== n;
    if (n === undefined) return fill(price, h('span', { class: 'error' }, t('rent.badHours')));
    if (!o) return fill(price, h('span', { class: 'muted' }, offers ? t('rent.noCountries') : t('common.loading')));
    fill(price, t('rent.cost', { hours: offers.hours, price: o.price }), ' · ', h('span', { class: 'muted' }, t('rent.free', { count: o.free })));
  }

  async function rent() {
    const n = hours();
    if (n === undefined || !countryId) return;
    submit.disabled = true;
    try {
      const { rent: r } = await api('POST', '/rents', { country: countryId, hours: n });
      rents.set(r.id, r);
      drawList();
      app.toast(t('rent.rented', { phone: `+${r.phone}`, end: when(r.endsAt) }));
      void app.refreshAccount();
      void loadOffers();
    } catch (err) {
      app.toast(rentError(err), 'error');
      drawPrice();
    }
  }

  async function loadRents() {
    try {
      const { rents: all } = await api('GET', '/rents');
      rents.clear();
      for (const r of all) rents.set(r.id, r);
      drawList();
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
  }

  async function refreshOne(id) {
    try {
      const { rent: r } = await api('GET', `/rents/${id}`);
      rents.set(r.id, r);
      drawList();
    } catch {
      // not ours, or gone: the card stays as the event left it
    }
  }

  function drawList() {
    const sorted = [...rents.values()].sort((a, b) => (a.live === b.live ? b.id - a.id : a.live ? -1 : 1));
    if (sorted.length === 0) return fill(list, h('li', { class: 'empty muted' }, t('rent.empty')));
    const focused = document.activeElement?.dataset?.focusKey;
    fill(list, sorted.map(card));
    if (focused) list.querySelector(`[data-focus-key="${focused}"]`)?.focus();
  }

  function card(r) {
    const buttons = r.commands.map((c) => h('button', {
      type: 'button', class: `btn small ${c === 'cancel' ? 'danger' : 'primary'}`, 'data-command': c, 'data-focus-key': `${r.id}:${c}`,
      title: c === 'cancel' ? t('rent.cancelHint') : undefined, onclick: (e) => void command(r, c, e.currentTarget),
    }, t(`rent.cmd.${c}`)));
    return h('li', { class: `activation rent ${r.live ? '' : 'ended'}`, 'data-id': r.id, 'data-state': r.state },
      h('div', { class: 'act-head' }, h('strong', {}, `${t('rent.number')} #${r.id}`), h('span', { class: 'muted' }, ` · ${r.price} ₽ · ${r.country.toUpperCase()}`)),
      h('div', { class: 'act-body' },
        h('div', {}, h('div', { class: 'label' }, t('act.number')),
          h('div', { class: 'phone' }, h('span', { class: 'mono' }, `+${r.phone}`), copyButton(() => r.phone, t('act.copy'), t('act.copied')))),
        r.live
          ? h('div', {}, h('div', { class: 'label' }, t('rent.ends')), h('div', {}, h('time', { datetime: r.endsAt, class: 'ends' }, when(r.endsAt))))
          : h('div', {}, h('div', { class: 'label' }, t('rent.started')), h('div', {}, h('time', { datetime: r.createdAt }, when(r.createdAt))))),
      h('div', { class: 'act-foot' }, h('span', { class: 'status' }, t(`rent.state.${r.state}`)),
        h('span', { class: 'muted' }, t('rent.smsCount', { count: r.messages.length }))),
      r.messages.length > 0
        ? h('ol', { class: 'messages rent-sms', 'aria-label': t('rent.sms') }, r.messages.map((m) => h('li', { 'data-sms': m.smsId },
          h('time', { datetime: m.at, class: 'muted' }, when(m.at)), ' ', h('strong', {}, m.from), ': ', h('span', { class: 'text' }, m.text))))
        : null,
      buttons.length ? h('div', { class: 'actions' }, buttons) : null);
  }

  async function command(r, c, button) {
    if (c === 'finish' && !confirm(t('rent.finishConfirm', { phone: `+${r.phone}` }))) return;
    button.disabled = true;
    try {
      const { rent: fresh } = await api('POST', `/rents/${r.id}/status`, { command: c });
      rents.set(fresh.id, fresh);
      drawList();
      void app.refreshAccount();
    } catch (err) {
      app.toast(rentError(err), 'error');
      button.disabled = false;
      void refreshOne(r.id);
    }
  }

  function rentError(err) {
    const own = { cantCancel: 1, rentEnded: 1, badHours: 1 };
    return err?.code && own[err.code] ? t(`rent.err.${err.code}`) : app.errorText(err);
  }

  const stopLive = openLive({
    topics: ['activations'],
    onState: (s) => {
      liveState.dataset.state = s;
      liveState.textContent = s === 'live' ? t('requests.live') : t('requests.offline');
      if (s === 'live') void loadRents(); // after a reconnect the API has the truth; events since then follow
    },
    onEvent: (e) => {
      if (e.type === 'live.gap') return void loadRents();
      if (typeof e.rentId !== 'number') return;
      const known = rents.get(e.rentId);
      if (e.type === 'rent.sms') {
        app.toast(t('rent.smsArrived', { from: e.from, phone: `+${e.phone}` }));
        // Shown at once from the event; the full view (buttons: no cancel after an SMS) follows from the API.
        if (known && !known.messages.some((m) => m.smsId === e.smsId)) {
          rents.set(e.rentId, { ...known, messages: [{ smsId: e.smsId, from: e.from, text: e.text, at: e.receivedAt }, ...known.messages] });
          drawList();
        }
      } else if (known) {
        rents.set(e.rentId, { ...known, state: e.status ?? known.state, live: e.live ?? known.live, endsAt: e.endsAt ?? known.endsAt });
        drawList();
      }
      void refreshOne(e.rentId);
      if (e.type !== 'rent.sms') void app.refreshAccount();
    },
  });
  const offersTimer = setInterval(() => void loadOffers(), offersEveryMs);

  void loadOffers();
  void loadRents();
  return {
    el, title: t('rent.title'),
    dispose() {
      stopLive();
      clearInterval(offersTimer);
      clearTimeout(hoursTimer);
    },
  };
}
