// The admin page's card for remote modem hosts (agents): their tokens, a new one (shown once) and revoking one.
import { api } from '../api.js';
import { copyButton, field, fill, h } from '../dom.js';
import { t } from '../i18n.js';

/** The card and its first load; `app` gives toasts and error sentences. */
export function agentTokensCard(app) {
  const rows = h('tbody');
  const shown = h('div', { 'aria-live': 'polite' });
  const name = h('input', { type: 'text', name: 'agent', required: true, maxlength: 32, pattern: '[A-Za-z0-9._\\-]{1,32}', autocomplete: 'off' });

  const el = h('section', { class: 'card', 'aria-labelledby': 'agents-title' },
    h('h2', { id: 'agents-title' }, t('admin.agents')),
    h('p', { class: 'muted' }, t('admin.agentsAbout')),
    h('form', { class: 'row', onsubmit: async (e) => {
      e.preventDefault();
      try {
        const made = await api('POST', '/admin/agent-tokens', { name: name.value.trim() });
        name.value = '';
        showOnce(made);
        await load();
      } catch (err) {
        app.toast(err?.code === 'agentTaken' ? t('admin.agentTaken') : err?.code === 'badAgentName' ? t('admin.agentBadName') : app.errorText(err), 'error');
      }
    } }, field(t('admin.agentName'), name, t('admin.agentNameHint')), h('button', { type: 'submit', class: 'btn primary' }, t('admin.agentCreate'))),
    shown,
    h('div', { class: 'table-scroll' }, h('table', { class: 'agents' },
      h('thead', {}, h('tr', {}, ['admin.agentName', 'admin.agentMade', 'admin.agentState'].map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('admin.agentRevoke'))))),
      rows)));

  // The token exists only in this answer: the server keeps its SHA-256, so it is shown now or never.
  function showOnce(made) {
    const out = h('input', { type: 'text', readonly: true, value: made.token, class: 'mono key', 'aria-label': t('admin.agentToken', { name: made.name }) });
    fill(shown,
      h('p', { class: 'notice' }, t('admin.agentShownOnce', { name: made.name })),
      h('div', { class: 'row' }, out, copyButton(() => made.token, t('act.copy'), t('act.copied'))),
      h('pre', { class: 'mono command' }, `AGENT_TOKEN=${made.token} npx getsms agent --server ${location.origin} [ports…]`));
    out.focus();
    out.select();
  }

  async function load() {
    try {
      const { tokens } = await api('GET', '/admin/agent-tokens');
      fill(rows, tokens.length === 0 ? h('tr', {}, h('td', { colspan: 4, class: 'muted' }, t('admin.agentsNone'))) : tokens.map((a) => h('tr', { 'data-agent': a.name },
        h('td', {}, a.name), h('td', {}, new Date(a.createdAt).toLocaleString()),
        h('td', {}, a.revokedAt ? t('admin.agentRevoked', { when: new Date(a.revokedAt).toLocaleString() }) : t('admin.agentWorks')),
        h('td', {}, a.revokedAt ? null : h('button', { type: 'button', class: 'btn small danger', 'aria-label': `${t('admin.agentRevoke')}: ${a.name}`, onclick: () => void revoke(a.name) }, t('admin.agentRevoke'))))));
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
  }

  async function revoke(agent) {
    if (!confirm(t('admin.agentRevokeSure', { name: agent }))) return;
    try {
      await api('DELETE', `/admin/agent-tokens/${encodeURIComponent(agent)}`);
      app.toast(t('admin.agentRevokedNow', { name: agent }));
      await load();
    } catch (err) {
      app.toast(app.errorText(err), 'error');
    }
  }

  void load();
  return el;
}
