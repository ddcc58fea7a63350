// The application shell: the session, the menu, the announcement banner, the language and page routing.
import { api, useCsrf } from './api.js';
import { fill, h, select } from './dom.js';
import { browserLanguage, language, setLanguage, t } from './i18n.js';
import { authPage } from './pages/auth.js';
import { adminPage } from './pages/admin.js';
import { docsPage } from './pages/docs.js';
import { faqPage } from './pages/faq.js';
import { historyPage } from './pages/history.js';
import { operatorPage } from './pages/operator.js';
import { refillPage } from './pages/refill.js';
import { rentPage } from './pages/rent.js';
import { requestsPage } from './pages/requests.js';
import { settingsPage } from './pages/settings.js';

const rank = { user: 0, operator: 1, admin: 2 };

/** Pages by path: who may see them and how to draw them. `public` pages need no sign-in. */
const pages = {
  '/': { nav: 'nav.requests', page: requestsPage },
  '/rent': { nav: 'nav.rent', page: rentPage },
  '/history': { nav: 'nav.history', page: historyPage },
  '/refill': { nav: 'nav.refill', page: refillPage },
  '/settings': { nav: 'nav.settings', page: settingsPage },
  '/api-docs': { nav: 'nav.api', page: docsPage, public: true },
  '/faq': { nav: 'nav.faq', page: faqPage, public: true },
  '/farm': { nav: 'nav.operator', page: operatorPage, role: 'operator' },
  '/admin': { nav: 'nav.admin', page: adminPage, role: 'admin' },
  '/sign-in': { page: authPage('signIn'), public: true },
  '/sign-up': { page: authPage('signUp'), public: true },
};

/** What every page may use: the signed-in account, messages to the user, navigation. */
const app = {
  account: null,
  /** The API key made in Settings during this visit: shown once, and filled into the API page until reload. */
  apiKey: null,
  navigate,
  toast,
  errorText,
  async refreshAccount() {
    try {
      const me = await api('GET', '/me');
      if (app.account) app.account.balance = me.balance;
      drawAccount();
    } catch (err) {
      if (err.status === 401) signedOut();
    }
  },
  async signedIn(session) {
    useCsrf(session.csrfToken);
    app.account = session.account;
    setLanguage(session.account.language ?? language());
    navigate('/', { replace: true });
    void drawBanner();
  },
  async changeLanguage(lang) {
    setLanguage(lang);
    if (app.account) {
      app.account.language = lang;
      await api('PUT', '/me/language', { language: lang }).catch(() => {});
    }
    drawChrome();
    route();
  },
};

let disposePage = () => {};

async function start() {
  setLanguage(browserLanguage());
  try {
    const session = await api('GET', '/session');
    useCsrf(session.csrfToken);
    app.account = session.account;
    if (session.account.language) setLanguage(session.account.language);
  } catch {
    app.account = null;
  }
  document.addEventListener('click', (e) => {
    const a = e.target.closest?.('a[data-link]');
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(a.getAttribute('href'));
  });
  window.addEventListener('popstate', () => route());
  drawChrome();
  void drawBanner();
  route();
}

function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else if (path !== location.pathname + location.search) history.pushState(null, '', path);
  drawChrome();
  route();
  if (app.account) void app.refreshAccount(); // money may have moved meanwhile (an admin's top-up, an API client)
}

function route() {
  const main = document.getElementById('main');
  const path = location.pathname;
  let entry = pages[path] ?? pages['/'];
  if (!app.account && !entry.public) entry = pages['/sign-in'];
  if (app.account && (path === '/sign-in' || path === '/sign-up')) entry = pages['/'];
  if (entry.role && rank[app.account.role] < rank[entry.role]) entry = pages['/'];
  disposePage();
  disposePage = () => {};
  const view = entry.page(app);
  fill(main, view.el);
  if (view.dispose) disposePage = view.dispose;
  document.title = `${view.title} · getsms`;
  highlightNav();
  main.querySelector('h1')?.setAttribute('tabindex', '-1');
  if (document.activeElement && document.activeElement !== document.body && !main.contains(document.activeElement)) {
    main.querySelector('h1')?.focus({ preventScroll: true });
  }
}

function drawChrome() {
  document.querySelector('.skip').textContent = language() === 'ru' ? 'К содержимому' : 'Skip to content';
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('nav.main'));
  const items = Object.entries(pages).filter(([, p]) => p.nav && (p.public || app.account) && (!p.role || (app.account && rank[app.account.role] >= rank[p.role])));
  fill(nav, h('ul', {}, items.map(([path, p]) => h('li', {}, h('a', { href: path, 'data-link': true }, t(p.nav))))));
  highlightNav();
  drawAccount();
}

function highlightNav() {
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === location.pathname) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function drawAccount() {
  const box = document.getElementById('account');
  const lang = select([['en', 'EN'], ['ru', 'RU']], language(), {
    'aria-label': t('lang.label'), class: 'lang', onchange: (e) => void app.changeLanguage(e.target.value),
  });
  if (!app.account) {
    fill(box, lang, h('a', { href: '/sign-in', 'data-link': true, class: 'btn small' }, t('auth.signIn')));
    return;
  }
  fill(
    box,
    h('span', { class: 'balance', title: t('account.balance') }, h('span', { class: 'muted' }, `${t('account.balance')}: `), h('strong', { id: 'balance' }, `${app.account.balance} ₽`)),
    h('span', { class: 'email muted', title: t('account.signedInAs', { email: app.account.email }) }, app.account.email),
    lang,
    h('button', { type: 'button', class: 'btn small ghost', onclick: signOut }, t('account.signOut')),
  );
}

async function drawBanner() {
  const slot = document.getElementById('banner');
  try {
    const { announcements } = await api('GET', '/announcements');
    const newest = announcements[0];
    if (!newest || localStorage.getItem('getsms.bannerHidden') === String(newest.id)) return fill(slot);
    fill(slot, h('aside', { class: 'banner', 'aria-label': t('banner.label') },
      h('p', {}, h('time', { datetime: new Date(newest.at).toISOString() }, new Date(newest.at).toLocaleDateString()), ' ', newest.text),
      h('button', { type: 'button', class: 'btn small ghost', 'aria-label': t('banner.dismiss'), onclick: () => {
        localStorage.setItem('getsms.bannerHidden', String(newest.id));
        fill(slot);
      } }, '×')));
  } catch {
    fill(slot); // the banner is a courtesy: no banner rather than an error
  }
}

async function signOut() {
  await api('DELETE', '/session').catch(() => {});
  signedOut();
}

function signedOut() {
  app.account = null;
  app.apiKey = null;
  useCsrf('');
  fill(document.getElementById('banner'));
  navigate('/sign-in', { replace: true });
}

let toastTimer;
/** A short message in the polite live region; `kind` 'error' stays longer. */
function toast(message, kind = 'ok') {
  const el = document.getElementById('toast');
  el.className = `toast show ${kind}`;
  el.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = 'toast'), kind === 'error' ? 6000 : 3000);
}

/** A refusal as a sentence in the user's language. */
function errorText(err) {
  if (err?.status === 401 && err.code !== 'wrongPassword') {
    setTimeout(signedOut, 0);
    return t('err.signedOut');
  }
  const known = { wrongPassword: 1, wrongCurrentPassword: 1, tooMany: 1, emailTaken: 1, badEmail: 1, badPassword: 1, noNumbers: 1, noBalance: 1, notAllowed: 1, csrf: 1, offline: 1 };
  if (err?.code && known[err.code]) return t(`err.${err.code}`);
  return t('err.generic', { message: err?.message ?? String(err) });
}

void start();
