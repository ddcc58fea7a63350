// The operator's farm: every channel with its slots and SIMs. A SIM card is dragged to another slot (or moved with
// its "Move" button and a dialog, from the keyboard); it shows "moving" until the farm sees it in its new slot.
// The cards follow the live channel's `channel.changed` and `sim.changed` events, and the raw SMS feed its `sms`
// topic; /api/farm is read on opening, after a reconnect, and now and then as a fallback (busy flags, new channels).
import { api } from '../api.js';
import { field, fill, h } from '../dom.js';
import { t, when } from '../i18n.js';
import { openLive } from '../live.js';

/** Fallback reads of /api/farm: events move the cards; these catch what no event says (a SIM turning busy). */
const calmEveryMs = 30_000;
const movingEveryMs = 5_000;
/** The raw feed keeps this many SMS on the page. */
const feedSize = 100;

export function operatorPage(app) {
  let farm = null;
  let timer;
  /** Moves asked for on this page and not yet seen recorded: iccid → target. */
  const asked = new Map();
  const board = h('div', { class: 'farm', 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('common.loading')));
  const dialog = h('dialog', { class: 'move-dialog', 'aria-labelledby': 'move-title' });
  const phones = h('datalist', { id: 'sim-phones' });
  const to = h('input', { type: 'tel', name: 'to', required: true, list: 'sim-phones', inputmode: 'numeric', pattern: '\\+?\\d{5,15}' });
  const from = h('input', { type: 'text', name: 'from', required: true, maxlength: 32, value: 'Telegram' });
  const text = h('textarea', { name: 'text', required: true, maxlength: 1600, rows: 2 }, 'Telegram code: 12345');
  const smsForm = h('form', { class: 'sms-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/simulator/sms', { to: to.value.trim(), from: from.value, text: text.value });
      app.toast(t('op.sent', { to: to.value.trim() }));
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
  } },
    h('p', { class: 'muted' }, t('op.testSmsAbout')),
    h('div', { class: 'row' }, field(t('op.to'), to), field(t('op.from'), from)),
    field(t('op.text'), text), phones,
    h('button', { type: 'submit', class: 'btn primary' }, t('op.send')));
  const smsCard = h('section', { class: 'card', hidden: true, 'aria-labelledby': 'sms-title' }, h('h2', { id: 'sms-title' }, t('op.testSms')), smsForm);

  const feed = h('ol', { class: 'feed', 'aria-live': 'polite', 'aria-relevant': 'additions' }, h('li', { class: 'empty muted' }, t('op.feedEmpty')));
  const liveState = h('span', { class: 'live-state', 'data-state': 'connecting' }, t('requests.offline'));
  const feedCard = h('section', { class: 'card', 'aria-labelledby': 'feed-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'feed-title' }, t('op.feed')), liveState),
    h('p', { class: 'muted' }, t('op.feedAbout')), feed);

  const el = h('section', {},
    h('h1', {}, t('op.title')),
    h('p', { class: 'muted' }, t('op.about')),
    board, h('div', { class: 'grid-2' }, feedCard, smsCard), dialog);

  async function load() {
    clearTimeout(timer);
    try {
      farm = await api('GET', '/farm');
      for (const c of farm.channels) for (const s of c.slots) if (s.sim?.moving || (s.sim && asked.has(s.sim.iccid) && isAt(asked.get(s.sim.iccid), c.id, s.slot))) asked.delete(s.sim.iccid);
      draw();
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
    const moving = asked.size > 0 || farm?.channels.some((c) => c.slots.some((s) => s.sim?.moving));
    timer = setTimeout(() => void load(), moving ? movingEveryMs : calmEveryMs);
  }

  function draw() {
    board.removeAttribute('aria-busy');
    smsCard.hidden = !farm.simulated;
    fill(phones, farm.channels.flatMap((c) => c.slots.filter((s) => s.sim).map((s) => h('option', { value: s.sim.phone }))));
    if (farm.channels.length === 0) return fill(board, h('p', { class: 'muted' }, t('op.noFarm')));
    const focusKey = document.activeElement?.dataset?.focusKey;
    fill(board, farm.channels.map(channelCard));
    if (focusKey) board.querySelector(`[data-focus-key="${focusKey}"]`)?.focus();
  }

  function channelCard(c) {
    const signal = c.signalDbm === null ? '—' : `${c.signalDbm} dBm`;
    return h('section', { class: 'card channel', 'data-channel': c.id, 'aria-label': `${t('op.channel')} ${c.id}` },
      h('div', { class: 'card-head' }, h('h2', {}, c.id), h('span', { class: `badge state-${c.state}` }, c.state)),
      h('dl', { class: 'facts' },
        h('div', {}, h('dt', {}, t('op.signal')), h('dd', {}, signal)),
        c.operator ? h('div', {}, h('dt', {}, t('op.operator')), h('dd', {}, c.operator)) : null,
        c.lastError ? h('div', { class: 'error' }, h('dt', {}, t('op.lastError')), h('dd', {}, c.lastError)) : null),
      h('ol', { class: 'slots' }, c.slots.map((s) => slotBox(c, s))));
  }

  function slotBox(c, s) {
    const label = `${t('op.slot', { n: s.slot })}${s.active ? ` (${t('op.active')})` : ''}`;
    const box = h('li', {
      class: `slot ${s.active ? 'active' : ''}`, 'data-channel': c.id, 'data-slot': s.slot, 'aria-label': `${c.id} · ${label}`,
      ondragover: (e) => {
        if (!e.dataTransfer.types.includes('application/x-getsms-iccid')) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        box.classList.add('drop');
      },
      ondragleave: () => box.classList.remove('drop'),
      ondrop: (e) => {
        e.preventDefault();
        box.classList.remove('drop');
        const iccid = e.dataTransfer.getData('application/x-getsms-iccid');
        if (iccid) void move(iccid, c.id, s.slot);
      },
    }, h('div', { class: 'slot-label muted' }, label), s.sim ? simCard(c, s) : h('div', { class: 'sim empty muted' }, t('op.empty')));
    return box;
  }

  function simCard(c, s) {
    const sim = s.sim;
    const target = sim.moving ?? asked.get(sim.iccid);
    const status = sim.online ? 'online' : sim.standby ? 'standby' : 'offline';
    return h('article', {
      class: `sim ${status} ${target ? 'moving' : ''}`, draggable: 'true', 'data-iccid': sim.iccid, 'aria-label': `SIM +${sim.phone}`,
      ondragstart: (e) => {
        e.dataTransfer.setData('application/x-getsms-iccid', sim.iccid);
        e.dataTransfer.setData('text/plain', sim.phone);
        e.dataTransfer.effectAllowed = 'move';
      },
    },
      h('div', { class: 'mono phone' }, `+${sim.phone}`),
      h('div', { class: 'muted small' }, `${sim.operator} · ${sim.country.toUpperCase()}`),
      h('div', { class: 'badges' },
        h('span', { class: `badge ${status}` }, t(`op.${status}`)),
        sim.busy ? h('span', { class: 'badge busy' }, t('op.busy')) : null,
        target ? h('span', { class: 'badge moving', role: 'status' }, t('op.moving', { target: `${target.channel} · ${target.slot}` })) : null),
      h('div', { class: 'sim-actions' },
        h('button', { type: 'button', class: 'btn small', 'data-focus-key': `move:${sim.iccid}`, onclick: () => openMove(sim, c.id, s.slot) }, t('op.move')),
        farm.simulated ? h('button', { type: 'button', class: 'btn small ghost', onclick: () => { to.value = sim.phone; text.focus(); } }, t('op.testSms')) : null));
  }

  function openMove(sim, channel, slot) {
    const targets = farm.channels.flatMap((c) => c.slots.filter((s) => !(c.id === channel && s.slot === slot))
      .map((s) => [`${c.id}#${s.slot}`, `${c.id} · ${t('op.slot', { n: s.slot })}${s.sim ? ` (+${s.sim.phone})` : ` (${t('op.empty')})`}`]));
    const choice = h('select', { name: 'target' }, targets.map(([v, label]) => h('option', { value: v }, label)));
    fill(dialog, h('form', { method: 'dialog', onsubmit: (e) => {
      e.preventDefault();
      const [toChannel, toSlot] = choice.value.split('#');
      dialog.close();
      void move(sim.iccid, toChannel, Number(toSlot));
    } },
      h('h2', { id: 'move-title' }, t('op.moveTo', { phone: `+${sim.phone}` })),
      field(t('op.slot', { n: '' }).trim(), choice),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'btn primary' }, t('op.moveDo')),
        h('button', { type: 'button', class: 'btn ghost', onclick: () => dialog.close() }, t('op.moveCancel')))));
    dialog.showModal();
    choice.focus();
  }

  async function move(iccid, channel, slot) {
    const sim = farm.channels.flatMap((c) => c.slots.map((s) => ({ c, s }))).find((x) => x.s.sim?.iccid === iccid);
    if (sim && sim.c.id === channel && sim.s.slot === slot) return;
    asked.set(iccid, { channel, slot });
    draw();
    try {
      await api('POST', '/sims/move', { iccid, channel, slot });
      app.toast(t('op.moved', { phone: sim ? `+${sim.s.sim.phone}` : iccid }));
    } catch (err) {
      asked.delete(iccid);
      app.toast(app.errorText(err), 'error');
    }
    void load();
  }

  /** A channel's new picture, drawn at once; a channel the page does not know yet is read from the API. */
  function channelChanged(e) {
    const c = farm?.channels.find((x) => x.id === e.channel);
    if (!c) return soon();
    Object.assign(c, { state: e.state, activeSlot: e.slot, operator: e.operator, registered: e.registered, signalDbm: e.signalDbm, lastError: e.lastError });
    for (const s of c.slots) s.active = s.slot === e.slot;
    draw();
  }

  /** A SIM's new place and state: it leaves the slot it was drawn in and shows in the one the event names. */
  function simChanged(e) {
    if (!farm) return;
    const there = farm.channels.find((x) => x.id === e.channel)?.slots.find((s) => s.slot === e.slot);
    if (!there) return soon();
    let old = null;
    for (const c of farm.channels) for (const s of c.slots) if (s.sim?.iccid === e.iccid) { old = s.sim; if (s !== there) s.sim = null; }
    const moving = e.change === 'moveRequested' ? e.move.to : e.change === 'moved' ? null : old?.moving ?? null;
    if (e.change === 'moved') asked.delete(e.iccid);
    there.sim = {
      iccid: e.iccid, phone: e.phone, operator: e.operator, country: e.country, online: e.online, standby: e.standby,
      busy: old?.busy ?? false, moving,
    };
    draw();
  }

  function smsArrived(e) {
    feed.querySelector('.empty')?.remove();
    const takers = [...e.activationIds.map((id) => t('op.feedActivation', { id })), ...e.rentIds.map((id) => t('op.feedRent', { id }))];
    feed.prepend(h('li', { class: 'feed-sms', 'data-sms': e.smsId },
      h('div', { class: 'feed-head' }, h('time', { datetime: e.receivedAt, class: 'muted' }, when(e.receivedAt)), ' ',
        h('strong', {}, e.from), h('span', { class: 'muted' }, ` → +${e.phone}`)),
      h('div', { class: 'text' }, e.text),
      h('div', { class: 'muted small' }, takers.length ? t('op.feedTaken', { who: takers.join(', ') }) : t('op.feedNobody'))));
    while (feed.children.length > feedSize) feed.lastElementChild.remove();
  }

  /** A read of /api/farm soon, once per burst. */
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 300);
  }

  const stopLive = openLive({
    topics: ['channels', 'sims', 'sms'],
    onState: (s) => {
      liveState.dataset.state = s;
      liveState.textContent = s === 'live' ? t('requests.live') : t('requests.offline');
      if (s === 'live' && farm) soon(); // back after a drop: the API has the truth, events since then follow
    },
    onEvent: (e) => {
      if (e.type === 'channel.changed') channelChanged(e);
      else if (e.type === 'sim.changed') simChanged(e);
      else if (e.type === 'sms.received') smsArrived(e);
      else if (e.type === 'live.gap') soon();
    },
  });
  void load();
  return {
    el, title: t('op.title'),
    dispose() {
      clearTimeout(timer);
      stopLive();
    },
  };
}

function isAt(target, channel, slot) {
  return target.channel === channel && target.slot === slot;
}
