// FAQ and contacts.
import { h } from '../dom.js';
import { t } from '../i18n.js';

export function faqPage() {
  const qa = [1, 2, 3, 4].map((n) => h('details', { class: 'qa' }, h('summary', {}, t(`faq.q${n}`)), h('p', {}, t(`faq.a${n}`))));
  const el = h('section', {},
    h('h1', {}, t('faq.title')),
    h('div', { class: 'card' }, qa),
    h('div', { class: 'card' }, h('h2', {}, t('faq.contacts')), h('p', {}, t('faq.contactsText'))));
  return { el, title: t('faq.title') };
}
