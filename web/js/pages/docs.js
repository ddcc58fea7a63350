// API / Partnership: both gateways, with the user's key filled in when it was made during this visit.
import { h } from '../dom.js';
import { t } from '../i18n.js';

const api1 = [
  ['getBalance', '', 'ACCESS_BALANCE:100.00'],
  ['getNumbersStatus', '&country=ru', '{"tg_0":97,"wa_0":98,…}'],
  ['getPrices', '&service=tg&country=ru', '{"ru":{"tg":{"cost":25,"count":16,"physicalCount":16}}}'],
  ['getNumber', '&service=tg&country=ru', 'ACCESS_NUMBER:ID:79270000001'],
  ['setStatus', '&id=ID&status=1', 'ACCESS_READY'],
  ['getStatus', '&id=ID', 'STATUS_WAIT_CODE · STATUS_OK:12345'],
  ['setStatus', '&id=ID&status=6', 'ACCESS_ACTIVATION'],
  ['setStatus', '&id=ID&status=-1', 'ACCESS_CANCEL'],
  ['getRepeat', '&service=tg&number=79270000001', 'ACCESS_NUMBER:ID:79270000001'],
];

const api2 = [
  ['getBalance', '', '{"response":"1","balance":"100.00"}'],
  ['getNum', '&service=telegram&country=ru', '{"response":"1","tzid":"TZID"}'],
  ['setReady', '&tzid=TZID', '{"response":"1"}'],
  ['getState', '&tzid=TZID', '{"response":"TZ_NUM_ANSWER","number":"79270000001","msg":"12345",…}'],
  ['setOperationOk', '&tzid=TZID', '{"response":"1","tzid":"TZID"}'],
];

export function docsPage(app) {
  const base = location.origin;
  const key = app.apiKey ?? 'YOUR_API_KEY';
  const table = (rows, url) => h('div', { class: 'table-scroll free' }, h('table', { class: 'docs' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('docs.action')), h('th', { scope: 'col' }, t('docs.example')), h('th', { scope: 'col' }, t('docs.answer')))),
    h('tbody', {}, rows.map(([action, params, answer]) => h('tr', {},
      h('th', { scope: 'row' }, action), h('td', {}, h('code', { class: 'wrap' }, url(action, params))), h('td', {}, h('code', {}, answer)))))));
  const el = h('section', {},
    h('h1', {}, t('docs.title')),
    h('div', { class: 'card' }, h('p', {}, t('docs.intro')),
      h('p', { class: app.apiKey ? 'notice' : 'muted' }, t(app.apiKey ? 'docs.keyFilled' : 'docs.keyMissing')),
      h('p', { class: 'muted' }, t('docs.limits')), h('p', { class: 'muted' }, t('docs.hosts'))),
    h('div', { class: 'card' }, h('h2', {}, t('docs.api1')),
      h('p', {}, `${t('docs.url')}: `, h('code', {}, `${base}/stubs/handler_api.php`)),
      table(api1, (action, params) => `${base}/stubs/handler_api.php?api_key=${key}&action=${action}${params}`)),
    h('div', { class: 'card' }, h('h2', {}, t('docs.api2')),
      h('p', {}, `${t('docs.url')}: `, h('code', {}, `${base}/METHOD_NAME.php`)),
      table(api2, (action, params) => `${base}/${action}.php?apikey=${key}${params}`)),
    h('div', { class: 'card' }, h('h2', {}, t('docs.partners')), h('p', {}, t('docs.partnersText'))));
  return { el, title: t('docs.title') };
}
