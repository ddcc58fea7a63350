import test from 'ava';
import type { Browser } from 'playwright-core';
import { startTestSystem, type TestSystem } from '../helpers/system.ts';
import { accountWithPassword, launchChromium, newPage, screenshot, signIn, unlabelledControls } from './browser.ts';

let sys: TestSystem;
let browser: Browser;

test.before(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), launchChromium()]);
  await sys.store.setRentPrice('ru', 24_000); // 240.00 ₽ a day
});
test.after.always(async () => {
  await browser?.close();
  await sys?.close();
});

test('a user rents a number, its SMS appear on the Rent page without reload, and finishing ends it', async (t) => {
  const user = await accountWithPassword(sys, 'user', 500);
  const page = await newPage(browser);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('dialog', (d) => void d.accept()); // "Finish the rent now?"
  await signIn(page, sys.url, user.email, user.password);
  await page.getByRole('link', { name: 'Phone number rent' }).click();
  await page.getByRole('heading', { name: 'Phone number rent', level: 1 }).waitFor();
  await page.getByText('No rents yet').waitFor();
  await page.getByLabel('Country').selectOption('ru');
  await page.getByLabel('Hours').fill('6');
  await page.getByText('6 h cost 60.00 ₽').waitFor();
  t.deepEqual(await unlabelledControls(page), []);
  await page.getByRole('button', { name: 'Rent', exact: true }).click();

  const card = page.locator('li.rent').first();
  await card.waitFor();
  const phone = (await card.locator('.phone .mono').textContent())!.replace('+', '');
  t.regex(phone, /^\d{10,15}$/);
  await page.locator('#balance', { hasText: '440.00 ₽' }).waitFor();
  t.is(await card.locator('time.ends').count(), 1, 'its end time is shown');
  await page.locator('.live-state[data-state="live"]').waitFor();

  // A marker in the page's memory proves the SMS arrive with no reload.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  await sys.sms(phone, 'SPORTMASTER', 'Скидка 20% только сегодня');
  await card.locator('.rent-sms li', { hasText: 'Скидка 20% только сегодня' }).waitFor();
  await sys.sms(phone, 'Bank', 'Code 5521 for your card');
  await card.locator('.rent-sms li', { hasText: 'Code 5521 for your card' }).waitFor();
  t.regex((await card.locator('.rent-sms li').first().textContent())!, /Bank/, 'the newest first');
  t.is(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42);
  // After an SMS only finishing is offered (a cancel would be refused).
  await card.getByRole('button', { name: 'Cancel' }).waitFor({ state: 'detached' });
  await screenshot(t, page, '19-rent-sms-arrived');

  await card.getByRole('button', { name: 'Finish' }).click();
  await page.locator('li.rent.ended', { hasText: 'Finished' }).waitFor();
  t.is((await sys.rents.view(user.id, Number(await card.getAttribute('data-id'))))?.state, 'finished');
  t.deepEqual(errors, []);
});

test('the Rent page speaks Russian, and fits a phone', async (t) => {
  const user = await accountWithPassword(sys, 'user', 100);
  const page = await newPage(browser, { width: 390, height: 844 });
  await signIn(page, sys.url, user.email, user.password);
  await page.getByLabel('Language').selectOption('ru');
  await page.getByRole('link', { name: 'Аренда номера' }).click();
  await page.getByRole('heading', { name: 'Аренда номера', level: 1 }).waitFor();
  await page.getByText('4 ч стоят 40.00 ₽').waitFor();
  await page.getByRole('button', { name: 'Арендовать', exact: true }).click();
  await page.locator('li.rent').first().getByRole('button', { name: 'Отменить' }).click();
  await page.locator('li.rent.ended', { hasText: 'Отменена, деньги возвращены' }).waitFor();
  await page.locator('#balance', { hasText: '100.00 ₽' }).waitFor();
  t.true(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scrolling');
  await screenshot(t, page, '20-rent-russian-phone');
});
