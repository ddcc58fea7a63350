// Settings: a new API key (shown once), the webhook, the password and the interface language.
import { api } from '../api.js';
import { copyButton, field, fill, h, select } from '../dom.js';
import { language, t } from '../i18n.js';

export function settingsPage(app) {
  const keyBox = h('div', { 'aria-live': 'polite' });
  const makeKey = h('button', { type: 'button', class: 'btn', onclick: async () => {
    if (!confirm(t('settings.confirmKey'))) return;
    makeKey.disabled = true;
    try {
      const { apiKey } = await api('POST', '/me/key');
      app.apiKey = apiKey;
      const out = h('input', { type: 'text', readonly: true, value: apiKey, class: 'mono key', 'aria-label': t('settings.key') });
      fill(keyBox, h('p', { class: 'notice' }, t('settings.keyShown')), h('div', { class: 'row' }, out, copyButton(() => apiKey, t('act.copy'), t('act.copied'))));
      out.focus();
      out.select();
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    } finally {
      makeKey.disabled = false;
    }
  } }, t('settings.newKey'));
  if (app.apiKey) fill(keyBox, h('input', { type: 'text', readonly: true, value: app.apiKey, class: 'mono key', 'aria-label': t('settings.key') }));

  const lang = select([['en', t('lang.en')], ['ru', t('lang.ru')]], language(), {
    onchange: async (e) => {
      await app.changeLanguage(e.target.value);
      app.toast(t('settings.saved'));
    },
  });

  const current = h('input', { type: 'password', name: 'current', autocomplete: 'current-password', maxlength: 200 });
  const next = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', minlength: 8, maxlength: 200, required: true });
  const passwordError = h('p', { class: 'error', role: 'alert' });
  const passwordForm = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    passwordError.textContent = '';
    try {
      await api('PUT', '/me/password', { current: current.value, password: next.value });
      current.value = '';
      next.value = '';
      app.toast(t('settings.passwordChanged'));
    } catch (err) {
      passwordError.textContent = app.errorText(err);
    }
  } },
    field(t('settings.currentPassword'), current),
    field(t('settings.newPassword'), next, t('auth.passwordHint')),
    passwordError,
    h('button', { type: 'submit', class: 'btn' }, t('settings.changePassword')));

  // The webhook: where SMS for this account are POSTed, signed with the secret shown here.
  const hookUrl = h('input', { type: 'url', name: 'webhook', placeholder: 'https://example.com/getsms', maxlength: 2000 });
  const hookInfo = h('div', { 'aria-live': 'polite' });
  const hookError = h('p', { class: 'error', role: 'alert' });
  const showHook = (hook, deliveries = []) => {
    hookUrl.value = hook?.url ?? '';
    if (!hook) return fill(hookInfo, h('p', { class: 'hint' }, t('settings.webhookNone')));
    fill(hookInfo,
      h('p', {}, t('settings.webhookSigned', { header: hook.signatureHeader })),
      h('div', { class: 'row' }, h('input', { type: 'text', readonly: true, value: hook.secret, class: 'mono key', 'aria-label': t('settings.webhookSecret') }),
        copyButton(() => hook.secret, t('act.copy'), t('act.copied'))),
      h('p', { class: 'hint' }, t('settings.webhookDeliveries', { n: deliveries.length, failed: deliveries.filter((d) => d.state === 'failed').length })));
  };
  api('GET', '/me/webhook').then(({ webhook, deliveries }) => showHook(webhook, deliveries), (err) => { hookError.textContent = app.errorText(err); });
  const hookForm = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    hookError.textContent = '';
    try {
      if (hookUrl.value.trim() === '') {
        await api('DELETE', '/me/webhook');
        showHook(null);
      } else {
        showHook((await api('PUT', '/me/webhook', { url: hookUrl.value.trim() })).webhook);
      }
      app.toast(t('settings.saved'));
    } catch (err) {
      hookError.textContent = app.errorText(err);
    }
  } },
    field(t('settings.webhookUrl'), hookUrl, t('settings.webhookHint')),
    hookError,
    h('button', { type: 'submit', class: 'btn' }, t('settings.webhookSave')),
    hookInfo);

  const el = h('section', {},
    h('h1', {}, t('settings.title')),
    h('div', { class: 'card' }, h('h2', {}, t('settings.key')), h('p', {}, t('settings.keyAbout')), makeKey, keyBox),
    h('div', { class: 'card' }, h('h2', {}, t('settings.webhook')), hookForm),
    h('div', { class: 'card' }, h('h2', {}, t('settings.password')), passwordForm),
    h('div', { class: 'card' }, h('h2', {}, t('settings.language')), field(t('lang.label'), lang)));
  return { el, title: t('settings.title') };
}
