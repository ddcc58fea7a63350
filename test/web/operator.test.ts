import test from 'ava';
import type { Browser } from 'playwright-core';
import { startTestSystem, type TestSystem } from '../helpers/system.ts';
import { until } from '../helpers/until.ts';
import { accountWithPassword, launchChromium, newPage, screenshot, signIn, unlabelledControls } from './browser.ts';

let sys: TestSystem;
let browser: Browser;

test.before(async () => {
  // The AT simulator: modems on pseudo-terminals read by the channel actors, so the page shows real modem state.
  [sys, browser] = await Promise.all([startTestSystem({ SIMULATOR: 'at' }), launchChromium()]);
});
test.after.always(async () => {
  await browser?.close();
  await sys?.close();
});

/** Where the store says a SIM is, once the recorded move of it to `to` is done. */
async function placeAfterMove(iccid: string, to: { channel: string; slot: number }) {
  return until(`the move of ${iccid} to ${to.channel} slot ${to.slot} to complete`, async () => {
    const moves = await sys.store.moves({ limit: 50 });
    const done = moves.find((m) => m.iccid === iccid && m.to.channel === to.channel && m.to.slot === to.slot && m.doneAt !== null);
    if (!done) return undefined;
    const sim = await sys.store.simByIccid(iccid);
    return sim && { channel: sim.channel, slot: sim.slot };
  }, 120_000, 200);
}

/** Where the store says a SIM is, once it is seen at `at`. */
async function seenAt(iccid: string, at: { channel: string; slot: number }) {
  return until(`${iccid} to be seen in ${at.channel} slot ${at.slot}`, async () => {
    const sim = await sys.store.simByIccid(iccid);
    return sim && sim.channel === at.channel && sim.slot === at.slot ? { channel: sim.channel, slot: sim.slot } : undefined;
  }, 120_000, 200);
}

test.serial('an operator drags a SIM to another slot: "moving" until it is seen there, then the page and the database agree', async (t) => {
  const op = await accountWithPassword(sys, 'operator');
  const page = await newPage(browser);
  await signIn(page, sys.url, op.email, op.password);
  await page.getByRole('link', { name: 'Farm' }).click();
  await page.getByRole('heading', { name: 'SIM farm', level: 1 }).waitFor();
  const channels = page.locator('section.channel');
  await channels.first().waitFor();
  t.true(await channels.count() >= 2);
  await screenshot(t, page, '10-farm');
  t.deepEqual(await unlabelledControls(page), []);

  // The first channel's SIM in slot 1 goes to slot 2 of the last channel (whose SIM comes back in exchange).
  const firstChannel = (await channels.first().getAttribute('data-channel'))!;
  const lastChannel = (await channels.last().getAttribute('data-channel'))!;
  const source = page.locator(`li.slot[data-channel="${firstChannel}"][data-slot="1"] article.sim`);
  const iccid = (await source.getAttribute('data-iccid'))!;
  const target = page.locator(`li.slot[data-channel="${lastChannel}"][data-slot="2"]`);
  const displaced = await target.locator('article.sim').getAttribute('data-iccid');
  // The move request is held until the card has said "moving", so the test sees that state however fast the farm is.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/api/sims/move', async (route) => {
    await held;
    await route.continue();
  });
  await source.dragTo(target);
  await page.locator(`article.sim.moving[data-iccid="${iccid}"] .badge.moving`).waitFor();
  await screenshot(t, page, '11-farm-moving');
  release();
  t.deepEqual(await placeAfterMove(iccid, { channel: lastChannel, slot: 2 }), { channel: lastChannel, slot: 2 });
  await page.locator(`li.slot[data-channel="${lastChannel}"][data-slot="2"] article.sim[data-iccid="${iccid}"]:not(.moving)`).waitFor({ timeout: 120_000 });
  if (displaced) t.deepEqual(await seenAt(displaced, { channel: firstChannel, slot: 1 }), { channel: firstChannel, slot: 1 }, 'the SIM that sat there took the moved one\'s place');
  const farm = await (await page.request.get(`${sys.url}/api/farm`)).json() as { channels: { id: string; slots: { slot: number; sim: { iccid: string } | null }[] }[] };
  const inView = farm.channels.flatMap((c) => c.slots.filter((s) => s.sim?.iccid === iccid).map((s) => ({ channel: c.id, slot: s.slot })));
  t.deepEqual(inView, [{ channel: lastChannel, slot: 2 }], 'the farm view the page draws says what the database says');
  await screenshot(t, page, '12-farm-after-drag');

  // The keyboard way: the card's Move button, a dialog with the slots, Enter.
  const back = page.locator(`article.sim[data-iccid="${iccid}"]`).getByRole('button', { name: 'Move', exact: true });
  await back.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('combobox').selectOption(`${firstChannel}#1`);
  await screenshot(t, page, '13-farm-move-dialog');
  await dialog.getByRole('button', { name: 'Move here' }).press('Enter');
  t.deepEqual(await placeAfterMove(iccid, { channel: firstChannel, slot: 1 }), { channel: firstChannel, slot: 1 });
  await page.locator(`li.slot[data-channel="${firstChannel}"][data-slot="1"] article.sim[data-iccid="${iccid}"]:not(.moving)`).waitFor({ timeout: 120_000 });
});

test.serial('an operator delivers a test SMS in simulation mode, and the buyer\'s activation takes its code', async (t) => {
  const op = await accountWithPassword(sys, 'operator');
  const buyer = await sys.account({ rubles: 100 });
  const [, id, phone] = (await sys.api({ api_key: buyer.key, action: 'getNumber', service: 'wa', country: 'ru' })).split(':');
  await sys.api({ api_key: buyer.key, action: 'setStatus', id: id!, status: 1 });
  const page = await newPage(browser, { width: 390, height: 844 });
  await signIn(page, sys.url, op.email, op.password);
  await page.goto(`${sys.url}/farm`);
  await page.getByRole('heading', { name: 'Test SMS' }).waitFor();
  await page.getByLabel('To number').fill(phone!);
  await page.getByLabel('Sender').fill('WhatsApp');
  await page.getByLabel('Text').fill('Your WhatsApp code: 314-159');
  await page.getByRole('button', { name: 'Deliver' }).click();
  await page.getByText(`Delivered to ${phone}.`).waitFor();
  await screenshot(t, page, '14-farm-phone-test-sms');
  t.is(await sys.api({ api_key: buyer.key, action: 'getStatus', id: id! }), 'STATUS_OK:314159');
});

test.serial('an operator sees each SMS the farm stores appear in the raw feed, newest first, without reload', async (t) => {
  const op = await accountWithPassword(sys, 'operator');
  const page = await newPage(browser);
  await signIn(page, sys.url, op.email, op.password);
  await page.goto(`${sys.url}/farm`);
  await page.getByRole('heading', { name: 'Incoming SMS' }).waitFor();
  await page.locator('.live-state[data-state="live"]').waitFor();
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
  const phone = (await page.locator('section.channel article.sim').first().getAttribute('aria-label'))!.replace('SIM +', '');
  await sys.sms(phone, 'Bank', 'Balance: 1 234.56 RUB');
  await sys.sms(phone, 'Delivery', 'Your parcel is waiting');
  const feed = page.locator('ol.feed li.feed-sms');
  await feed.filter({ hasText: 'Your parcel is waiting' }).waitFor();
  await feed.filter({ hasText: 'Balance: 1 234.56 RUB' }).waitFor();
  t.regex((await feed.first().textContent())!, /Delivery.*Your parcel is waiting/s, 'the newest on top');
  t.regex((await feed.first().textContent())!, new RegExp(`\\+${phone}`));
  t.is(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 7, 'no reload');
  await screenshot(t, page, '18-farm-sms-feed');
});
