import test from 'ava';
import type { Browser } from 'playwright-core';
import { agentTokenHash } from '../../server/agents/index.ts';
import { startTestSystem, type TestSystem } from '../helpers/system.ts';
import { accountWithPassword, launchChromium, newPage, screenshot, signIn, unlabelledControls } from './browser.ts';

let sys: TestSystem;
let browser: Browser;

test.before(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), launchChromium()]);
});
test.after.always(async () => {
  await browser?.close();
  await sys?.close();
});

test('an admin changes a price and the gateway\'s getPrices shows it at once; a published announcement is the banner', async (t) => {
  const admin = await accountWithPassword(sys, 'admin');
  const client = await sys.account({ rubles: 10 });
  const page = await newPage(browser);
  await signIn(page, sys.url, admin.email, admin.password);
  await page.getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('heading', { name: 'Administration', level: 1 }).waitFor();
  await page.getByLabel('Country').selectOption('kz');
  const price = page.getByLabel('WhatsApp, Kazakhstan', { exact: true });
  t.is(await price.inputValue(), '49.00', 'the spec\'s own announcement: WhatsApp (KZ) 49 rub');
  await price.fill('52.50');
  await page.getByRole('button', { name: 'Save: WhatsApp' }).click();
  await page.getByText('Saved: WhatsApp in Kazakhstan costs 52.50 ₽.').waitFor();
  const prices = JSON.parse(await sys.api({ api_key: client.key, action: 'getPrices', service: 'wa', country: 'kz' }));
  t.is(prices.kz.wa.cost, 52.5);

  await page.getByLabel('Announcement text').fill('Изменение цены:\nWhatsApp (KZ) - 52.50 руб.');
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText('Published.').waitFor();
  await page.reload();
  await page.getByRole('complementary', { name: 'Announcement' }).getByText('WhatsApp (KZ) - 52.50 руб.').waitFor();
  await screenshot(t, page, '15-admin-prices');
  t.deepEqual(await unlabelledControls(page), []);
  // Every visitor sees it, signed in or not (the sign-in page of a fresh browser context).
  const visitor = await newPage(browser);
  await visitor.goto(`${sys.url}/sign-in`);
  await visitor.getByRole('complementary', { name: 'Announcement' }).getByText('WhatsApp (KZ) - 52.50 руб.').waitFor();
});

test('an admin tops a user up through the ledger, and the user sees the money and its entry', async (t) => {
  const admin = await accountWithPassword(sys, 'admin');
  const user = await accountWithPassword(sys, 'user', 5);
  const page = await newPage(browser);
  await signIn(page, sys.url, admin.email, admin.password);
  await page.goto(`${sys.url}/admin`);
  const row = page.locator(`tr[data-account="${user.id}"]`);
  t.regex((await row.textContent())!, /5\.00 ₽/);
  await row.getByRole('button', { name: 'Ledger' }).click();
  await page.getByRole('heading', { name: new RegExp(`Ledger of ${user.email}`) }).waitFor();
  await page.getByLabel('Amount, ₽').fill('250');
  await page.getByLabel('Note').fill('bank transfer 2026-11-25');
  await page.getByRole('button', { name: 'Top up' }).click();
  await page.getByText(`${user.email}: balance 255.00 ₽.`).waitFor();
  await row.getByText('255.00 ₽').waitFor();
  await screenshot(t, page, '16-admin-ledger-topup');
  const ledger = await sys.store.ledger(user.id);
  t.is(ledger.at(-1)!.amount, 25_000);
  t.is(ledger.at(-1)!.note, 'bank transfer 2026-11-25');
  t.is(ledger.reduce((sum, e) => sum + e.amount, 0), (await sys.store.accountById(user.id))!.balance, 'the ledger adds up');

  const userPage = await newPage(browser, { width: 390, height: 844 });
  await signIn(userPage, sys.url, user.email, user.password);
  await userPage.locator('#balance', { hasText: '255.00 ₽' }).waitFor();
  await userPage.getByRole('link', { name: 'Refill account' }).click();
  await userPage.getByText('bank transfer 2026-11-25').waitFor();
  await screenshot(t, userPage, '17-refill-phone');
});

test('an admin makes a modem host\'s token, sees it once, and revokes it', async (t) => {
  const admin = await accountWithPassword(sys, 'admin');
  const page = await newPage(browser);
  await signIn(page, sys.url, admin.email, admin.password);
  await page.goto(`${sys.url}/admin`);
  const card = page.getByRole('region', { name: 'Modem hosts (agents)' });
  await card.getByLabel('Host name').fill('rack-web-1');
  await card.getByRole('button', { name: 'Create token' }).click();
  await card.getByText('Token for rack-web-1. Copy it now: it is shown only this once').waitFor();
  const token = await card.getByLabel('Token of rack-web-1').inputValue();
  t.regex(token, /^[0-9a-f]{64}$/);
  t.like(await sys.store.agentByTokenHash(agentTokenHash(token)), { name: 'rack-web-1' }, 'the shown token is the one that works');
  const row = card.locator('tr[data-agent="rack-web-1"]');
  await row.getByText('works').waitFor();
  await screenshot(t, page, '21-admin-agent-token');
  t.deepEqual(await unlabelledControls(page), []);

  await page.reload();
  await row.waitFor();
  t.false((await page.content()).includes(token), 'once: a reload shows the name, never the token');

  page.once('dialog', (d) => void d.accept());
  await row.getByRole('button', { name: 'Revoke: rack-web-1' }).click();
  await page.getByText('The token of rack-web-1 is revoked.').waitFor();
  await row.getByText(/^revoked /).waitFor();
  t.is(await row.getByRole('button').count(), 0, 'a revoked token has nothing left to revoke');
  t.is(await sys.store.agentByTokenHash(agentTokenHash(token)), undefined, 'the host is refused at its next connect');
});
