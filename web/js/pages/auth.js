// Sign in and sign up: one form each, labelled fields, errors announced to screen readers.
import { api } from '../api.js';
import { field, h } from '../dom.js';
import { language, t } from '../i18n.js';

/** The sign-in (`mode` 'signIn') or sign-up ('signUp') page. */
export function authPage(mode) {
  return (app) => {
    const signUp = mode === 'signUp';
    const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, maxlength: 254 });
    const password = h('input', {
      type: 'password', name: 'password', required: true, minlength: signUp ? 8 : undefined, maxlength: 200,
      autocomplete: signUp ? 'new-password' : 'current-password',
    });
    const error = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'btn primary wide' }, t(signUp ? 'auth.signUp' : 'auth.signIn'));
    const form = h('form', { class: 'card auth', novalidate: false, onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      submit.disabled = true;
      try {
        const body = { email: email.value, password: password.value, ...(signUp ? { language: language() } : {}) };
        const session = await api('POST', signUp ? '/session/sign-up' : '/session', body);
        await app.signedIn(session);
      } catch (err) {
        error.textContent = app.errorText(err);
        password.focus();
      } finally {
        submit.disabled = false;
      }
    } },
      h('h1', {}, t(signUp ? 'auth.signUp' : 'auth.signIn')),
      h('p', { class: 'muted' }, t('auth.welcome')),
      field(t('auth.email'), email),
      field(t('auth.password'), password, signUp ? t('auth.passwordHint') : undefined),
      error,
      submit,
      h('p', { class: 'switch' }, t(signUp ? 'auth.haveAccount' : 'auth.noAccount'), ' ',
        h('a', { href: signUp ? '/sign-in' : '/sign-up', 'data-link': true }, t(signUp ? 'auth.signIn' : 'auth.signUp'))),
    );
    return { el: h('section', { class: 'narrow' }, form), title: t(signUp ? 'auth.signUp' : 'auth.signIn') };
  };
}
