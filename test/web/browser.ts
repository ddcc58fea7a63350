import type { ExecutionContext } from 'ava';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { hashPassword } from '../../actors/index.ts';
import type { TestSystem } from '../helpers/system.ts';

/** Debian's Chromium, never a downloaded one; the flags keep it off the network this machine does not have. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    timeout: 120_000,
  });
}

/** Where screenshots go: test-artifacts/web (ignored by git). */
export const artifacts = resolve('test-artifacts/web');

/** A full-page screenshot kept as a test artifact; its path goes to the test's log. */
export async function screenshot(t: ExecutionContext, page: Page, name: string) {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  t.log(`screenshot: ${path}`);
}

/** A page of a fresh browser context (its own cookies), with generous timeouts for a loaded CI machine. */
export async function newPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.setDefaultNavigationTimeout(60_000);
  return page;
}

/** An account with a role and a password for the browser (sign-up makes only users). */
export async function accountWithPassword(sys: TestSystem, role: 'user' | 'operator' | 'admin', rubles = 0) {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@web.test`;
  const { id, key } = await sys.account({ role, rubles, email });
  const password = `${role} password 123`;
  await sys.store.setPasswordHash(id, await hashPassword(password));
  return { id, key, email, password };
}

/** Signs in through the sign-in form and waits for the first page. */
export async function signIn(page: Page, url: string, email: string, password: string) {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Requests', level: 1 }).waitFor();
}

/** Controls on the page with no accessible name (no label, aria-label or text): each is described for the failure message. */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button, a[href]')]
      .filter((el) => {
        const e = el as HTMLInputElement;
        if (e.type === 'hidden' || e.closest('[hidden]')) return false;
        const named = (e.labels?.length ?? 0) > 0 || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || (e.textContent ?? '').trim();
        return !named;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}
