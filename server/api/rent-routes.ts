import Router from '@koa/router';
import type { Context } from 'koa';
import { country as countryById, formatRubles, rentCost, rentHours, type RentView } from '../../actors/index.ts';
import { caller } from './auth.ts';
import { ApiError } from './errors.ts';
import type { ApiDeps } from './routes.ts';

/** What the page offers when the user names no time: sms-activate's default rent. */
const defaultHours = 4;
/** sms-activate's refund window for a cancel (no SMS yet): the button is offered only within it. */
const cancelWindowMs = 20 * 60_000;
/** Ended rents listed after the live ones. */
const endedShown = 50;

/**
 * The Rent page's endpoints: what a number costs per country, renting one,
 * the caller's rents with their SMS, and finishing, cancelling or extending
 * one. They go through the same RentRegistry as the gateways' rent actions
 * (`getRentNumber`, `setRentStatus`, `continueRentNumber`), so both see one rent.
 */
export function rentRoutes(deps: ApiDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.use(caller(deps.store));
  const { store, rents } = deps;

  router.get('/rent/offers', async (ctx) => {
    const hours = hoursOf(ctx.query.hours ?? String(defaultHours));
    const prices = await store.rentPrices();
    const offers = await Promise.all(prices.flatMap((p) => {
      const c = countryById(p.country);
      if (!c) return [];
      return [store.rentable({ country: c.id }).then((free) => ({
        country: c.id, name: { en: c.eng, ru: c.rus }, operators: c.operators,
        dayPrice: formatRubles(p.price), price: formatRubles(rentCost(p.price, hours)), free,
      }))];
    }));
    ctx.body = { hours, limits: { min: rentHours.min, max: rentHours.max, default: defaultHours }, offers };
  });

  router.post('/rents', async (ctx) => {
    const body = bodyOf(ctx);
    const c = countryById(String(body.country ?? ''));
    if (!c) throw new ApiError(422, '"country" must be a country id, such as "ru"');
    const operator = typeof body.operator === 'string' && body.operator !== '' ? body.operator : undefined;
    if (operator && !c.operators.includes(operator)) throw new ApiError(422, `"operator" must be one of ${c.operators.join(', ')}`);
    const hours = hoursOf(body.hours === undefined ? String(defaultHours) : String(body.hours));
    const r = await rents.rent({
      accountId: ctx.state.account.id, filter: { country: c.id, ...(operator ? { operators: [operator] } : {}) },
      service: 'full', dialect: 'smsActivate', hours,
    });
    if (!r.ok && r.code === 'noBalance') throw new ApiError(409, 'not enough money on the balance for this rent', 'noBalance');
    if (!r.ok) throw new ApiError(409, 'no number of this country can be rented now', 'noNumbers');
    ctx.status = 201;
    ctx.body = { rent: rentShown(r.rent, Date.now()) };
  });

  router.get('/rents', async (ctx) => {
    const accountId = ctx.state.account.id as number;
    const live = await rents.ofAccount(accountId);
    const liveIds = new Set(live.map((r) => r.id));
    const ended = ctx.query.state === 'live' ? [] : (await store.rents({ accountId, live: false, limit: endedShown }));
    const now = Date.now();
    ctx.body = {
      rents: [...live.sort((a, b) => b.id - a.id), ...ended.filter((r) => !liveIds.has(r.id))].map((r) => rentShown(r, now)),
    };
  });

  router.get('/rents/:id', async (ctx) => {
    const r = await rents.view(ctx.state.account.id, idOf(ctx.params.id));
    if (!r) throw new ApiError(404, 'no such rent', 'noRent');
    ctx.body = { rent: rentShown(r, Date.now()) };
  });

  router.post('/rents/:id/status', async (ctx) => {
    const command = bodyOf(ctx).command;
    if (command !== 'finish' && command !== 'cancel') throw new ApiError(422, '"command" must be "finish" or "cancel"');
    const r = await rents.command(ctx.state.account.id, idOf(ctx.params.id), command);
    if (!r.ok && r.code === 'noRent') throw new ApiError(404, 'no such rent', 'noRent');
    if (!r.ok && r.code === 'cantCancel') {
      throw new ApiError(409, 'a rent is cancelled (and refunded) only within 20 minutes and before any SMS: finish it instead', 'cantCancel');
    }
    if (!r.ok) throw new ApiError(409, 'this rent is already over', 'rentEnded');
    ctx.body = { rent: rentShown(r.rent, Date.now()) };
  });

  router.post('/rents/:id/extend', async (ctx) => {
    const hours = hoursOf(String(bodyOf(ctx).hours ?? ''));
    const r = await rents.extend(ctx.state.account.id, idOf(ctx.params.id), hours);
    if (!r.ok && r.code === 'noRent') throw new ApiError(404, 'no such rent', 'noRent');
    if (!r.ok && r.code === 'noBalance') throw new ApiError(409, 'not enough money on the balance for this rent', 'noBalance');
    if (!r.ok && r.code === 'noPrice') throw new ApiError(409, 'numbers of this country are no longer rented out', 'noPrice');
    if (!r.ok) throw new ApiError(409, 'this rent is already over', 'rentEnded');
    ctx.body = { rent: rentShown(r.rent, Date.now()), charged: formatRubles(r.charged) };
  });

  return router;
}

/** A rent as the page shows it: rubles, ISO times, SMS newest first, and the buttons it offers now. */
export function rentShown(r: RentView, now: number) {
  const renting = r.live && r.state === 'renting';
  const cancellable = renting && r.messages.length === 0 && now < r.createdAt + cancelWindowMs;
  return {
    id: r.id, phone: r.phone, country: r.country, operator: r.operator, price: formatRubles(r.price), hours: r.hours,
    state: r.state, live: r.live, createdAt: new Date(r.createdAt).toISOString(), endsAt: new Date(r.endsAt).toISOString(),
    messages: [...r.messages].reverse().map((m) => ({ smsId: m.smsId, from: m.from, text: m.text, at: new Date(m.at).toISOString() })),
    commands: renting ? (cancellable ? ['finish', 'cancel'] : ['finish']) : [],
  };
}

/** Whole hours within sms-activate's rent range, else a 422 naming it. */
function hoursOf(raw: unknown): number {
  const hours = typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  if (!Number.isInteger(hours) || hours < rentHours.min || hours > rentHours.max) {
    throw new ApiError(422, `"hours" must be a whole number from ${rentHours.min} to ${rentHours.max}`, 'badHours');
  }
  return hours;
}

function idOf(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) throw new ApiError(404, 'no such rent', 'noRent');
  return id;
}

function bodyOf(ctx: Context): Record<string, unknown> {
  const body = (ctx.request as { body?: unknown }).body;
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
