import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { startTestSystem, type TestSystem } from '../helpers/system.ts';
import { launchChromium, newPage, screenshot, unlabelledControls } from './browser.ts';

let sys: TestSystem;
let browser: Browser;

test.before(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), launchChromium()]);
});
test.after.always(async () => {
  await browser?.close();
  await sys?.close();
});

/** Every uncaught error of the page's scripts, to assert there were none (refusals the test provokes, 400/401/403, are the server speaking). */
function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource.*40[013]/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

test('a user signs up, orders a number, and codes appear without reload, also one that came while the page was closed', async (t) => {
  const page = await newPage(browser);
  const errors = pageErrors(page);
  const email = 'ann@web.test';
  await page.goto(`${sys.url}/sign-up`);
  await screenshot(t, page, '01-sign-up');
  t.deepEqual(await unlabelledControls(page), []);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('ann has a long password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Requests', level: 1 }).waitFor();
  t.is(await page.locator('#balance').textContent(), '0.00 ₽');

  // Money arrives as an admin's top-up would bring it.
  const account = (await sys.store.accountByEmail(email))!;
  await sys.store.moveMoney({ accountId: account.id, amount: 50_000, reason: 'topup', ref: 'test', key: `web-test:${account.id}`, at: Date.now() });
  await page.reload();
  await page.locator('#balance', { hasText: '500.00 ₽' }).waitFor();

  const telegram = page.locator('tr[data-service="telegram"]');
  await telegram.getByRole('button', { name: /Buy a Telegram number/ }).click();
  const card = page.locator('li.activation').first();
  await card.waitFor();
  const phone = (await card.locator('.phone .mono').textContent())!.replace('+', '');
  t.regex(phone, /^\d{10,15}$/);
  await page.locator('#balance', { hasText: /^(?!500\.00)/ }).waitFor(); // charged
  await card.getByRole('button', { name: 'Ready', exact: true }).click();
  await card.getByText('Waiting for the SMS').waitFor();

  // A marker in the page's memory proves the code arrives with no reload.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  await page.locator('.live-state[data-state="live"]').waitFor();
  await sys.sms(phone, 'Telegram', 'Telegram code: 24680');
  await card.locator('.code[data-code="24680"]').waitFor();
  t.is(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'the page was not reloaded');
  t.is(await card.getAttribute('data-state'), 'codeArrived');
  await screenshot(t, page, '02-requests-code-arrived');
  t.deepEqual(await unlabelledControls(page), [], 'every control on the Requests page has a name');

  // Another code: the page is closed while it arrives, and shows it when opened again.
  await card.getByRole('button', { name: 'Another code' }).click();
  await card.getByText('Waiting for another code').waitFor();
  await page.close();
  await sys.sms(phone, 'Telegram', 'Telegram code: 13579');
  const again = await newPage(browser, { width: 390, height: 844 }); // a phone-sized screen, same browser profile is not needed:
  const errors2 = pageErrors(again);
  await again.context().addCookies(await page.context().cookies());
  await again.goto(sys.url);
  const reopened = again.locator(`li.activation[data-id]`).first();
  await reopened.locator('.code[data-code="13579"]').waitFor();
  await screenshot(t, again, '03-requests-phone-reopened');
  await reopened.getByRole('button', { name: 'Done', exact: true }).click();
  await reopened.getByText('Done', { exact: true }).first().waitFor();
  const activationId = Number(await reopened.getAttribute('data-id'));
  await waitForState(activationId, 'finished');
  t.deepEqual(errors, []);
  t.deepEqual(errors2, []);
});

test('history pages and filters, a new API key shown once and filled into the API page, the ledger, FAQ, and Russian', async (t) => {
  const page = await newPage(browser);
  const errors = pageErrors(page);
  page.on('dialog', (d) => void d.accept()); // "the old key stops working": yes
  const email = 'boris@web.test';
  await page.goto(`${sys.url}/sign-up`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('boris has a long password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Requests', level: 1 }).waitFor();

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Create a new API key' }).click();
  const keyInput = page.getByLabel('API key');
  await keyInput.waitFor();
  const key = await keyInput.inputValue();
  t.regex(key, /^[0-9a-f]{32}$/);
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:0.00', 'the key shown works on the gateway');
  await page.getByLabel('Current password').fill('boris has a long password');
  await page.getByLabel('New password').fill('boris changed his password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Password changed.').waitFor();
  // The webhook: a private address is refused with the server's sentence; a public one is kept, its secret shown.
  await page.getByLabel('Webhook URL').fill('http://127.0.0.1:9/hook');
  await page.getByRole('button', { name: 'Save webhook' }).click();
  await page.getByText('webhooks go to public addresses only', { exact: false }).waitFor();
  await page.getByLabel('Webhook URL').fill('https://hooks.example.com/getsms');
  await page.getByRole('button', { name: 'Save webhook' }).click();
  const secret = await page.getByLabel('Webhook signing secret').inputValue();
  const hook = await sys.store.webhook((await sys.store.accountByEmail(email))!.id);
  t.like(hook, { url: 'https://hooks.example.com/getsms', secret });
  await screenshot(t, page, '04-settings-new-key');
  t.deepEqual(await unlabelledControls(page), []);

  await page.getByRole('link', { name: 'API / Partnership' }).click();
  await page.getByText('The examples below carry your new API key.').waitFor();
  t.true((await page.locator('table.docs').first().textContent())!.includes(`api_key=${key}&action=getBalance`));
  t.true((await page.locator('table.docs').nth(1).textContent())!.includes(`/getNum.php?apikey=${key}`));
  await screenshot(t, page, '05-api-docs');

  // 22 Telegram orders and 3 WhatsApp ones over the gateway, each cancelled: History has two pages of Telegram.
  const account = (await sys.store.accountByEmail(email))!;
  await sys.store.moveMoney({ accountId: account.id, amount: 100_000, reason: 'topup', ref: 'test', key: `web-test:${account.id}`, at: Date.now() });
  for (const [service, n] of [['tg', 22], ['wa', 3]] as const) {
    for (let i = 0; i < n; i++) {
      const [, id] = (await sys.api({ api_key: key, action: 'getNumber', service, country: 'ru' })).split(':');
      t.is(await sys.api({ api_key: key, action: 'setStatus', id: id!, status: -1 }), 'ACCESS_CANCEL');
    }
  }
  await page.getByRole('link', { name: 'History' }).click();
  await page.getByText('Page 1 of 2 · 25 in all').waitFor();
  t.is(await page.locator('table.history tbody tr').count(), 20);
  await page.getByRole('button', { name: /Older/ }).click();
  await page.getByText('Page 2 of 2 · 25 in all').waitFor();
  t.is(await page.locator('table.history tbody tr').count(), 5);
  await page.getByLabel('Service').selectOption('whatsapp');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByText('Page 1 of 1 · 3 in all').waitFor();
  t.deepEqual(await page.locator('table.history tbody tr td:nth-child(3)').allTextContents(), ['WhatsApp', 'WhatsApp', 'WhatsApp']);
  await screenshot(t, page, '06-history-filtered');
  t.deepEqual(await unlabelledControls(page), []);

  // Sixty small credits on top of the opening 1000.00 and the orders: the ledger takes pages of 50.
  const me = (await sys.store.accountByEmail(email))!;
  for (let i = 0; i < 60; i++) {
    await sys.store.moveMoney({ accountId: me.id, amount: 1, reason: 'topup', ref: 'test', key: `web-ledger-${i}`, note: `credit ${i}`, at: Date.now() });
  }
  const entries = (await sys.store.ledger(me.id)).length;
  const pages = Math.ceil(entries / 50);
  await page.getByRole('link', { name: 'Refill account' }).click();
  await page.getByText(`Page 1 of ${pages} · ${entries} in all`).waitFor();
  t.is(await page.locator('table.ledger tbody tr').count(), 50);
  t.true((await page.locator('table.ledger tbody tr').first().textContent())!.includes('credit 59'), 'newest first');
  await screenshot(t, page, '07-refill-ledger');
  for (let n = 2; n <= pages; n++) {
    await page.getByRole('button', { name: /Older/ }).click();
    await page.getByText(`Page ${n} of ${pages} · ${entries} in all`).waitFor();
  }
  t.is(await page.locator('table.ledger tbody tr').count(), entries - 50 * (pages - 1));
  t.true((await page.locator('table.ledger tbody tr').last().textContent())!.includes('+1000.00 ₽'), 'the opening credit, oldest, last');
  t.true(await page.getByRole('button', { name: /Older/ }).isDisabled());

  await page.getByRole('link', { name: 'FAQ / Contacts' }).click();
  await page.getByText('How do I receive a code?').click();
  await screenshot(t, page, '08-faq');

  // Russian: chosen in the header, kept with the account, so a reload (or another browser) speaks it too.
  await page.getByLabel('Language').first().selectOption('ru');
  await page.getByRole('link', { name: 'Заявки' }).waitFor();
  await page.reload();
  await page.getByRole('link', { name: 'История' }).click();
  await page.getByRole('heading', { name: 'История', level: 1 }).waitFor();
  t.is(await page.locator('html').getAttribute('lang'), 'ru');
  await page.getByRole('link', { name: 'Заявки' }).click();
  await page.getByRole('heading', { name: 'Заказать номер' }).waitFor();
  await screenshot(t, page, '09-requests-russian');

  // Signed out, the changed password signs in again.
  await page.getByRole('button', { name: 'Выйти' }).click();
  await page.getByRole('heading', { name: 'Войти', level: 1 }).waitFor();
  await page.getByLabel('Эл. почта').fill(email);
  await page.getByLabel('Пароль').fill('boris changed his password');
  await page.getByRole('button', { name: 'Войти' }).last().click();
  await page.getByRole('heading', { name: 'Заявки', level: 1 }).waitFor();
  t.deepEqual(errors, []);
});

async function waitForState(id: number, state: string) {
  for (let i = 0; i < 600; i++) {
    if ((await sys.store.activation(id))?.state === state) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`activation ${id} never reached ${state}`);
}
