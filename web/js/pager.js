// A list's pager: "← Newer", "Page 2 of 5 · 230 in all", "Older →". Pages count from 0, newest first.
import { h } from './dom.js';
import { t } from './i18n.js';

/** `go(page)` loads a page; `show(answer)` sets the pager from an answer's page, pageSize and total. */
export function pager(go) {
  let page = 0;
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', class: 'btn small', onclick: () => go(--page) }, `← ${t('pager.newer')}`);
  const next = h('button', { type: 'button', class: 'btn small', onclick: () => go(++page) }, `${t('pager.older')} →`);
  const el = h('div', { class: 'pager' }, prev, status, next);
  return {
    el,
    get page() { return page; },
    /** Back to the newest page (new filters). */
    reset() { page = 0; },
    show(r) {
      const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
      page = r.page;
      status.textContent = t('pager.page', { page: r.page + 1, pages, total: r.total });
      prev.disabled = r.page === 0;
      next.disabled = r.page + 1 >= pages;
      return pages;
    },
  };
}
