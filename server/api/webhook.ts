import type Router from '@koa/router';
import type { Store, WebhookDelivery } from '../../actors/index.ts';
import { newWebhookSecret, privateHost, signatureHeader, webhookUrl } from '../webhooks/index.ts';
import { ApiError } from './errors.ts';

/**
 * The caller's webhook: `PUT /api/me/webhook {"url"}` sets it (the signing
 * secret is made the first time and kept when the URL changes; `"rotateSecret": true`
 * makes a new one), `GET` shows it with the latest deliveries, `DELETE` removes it.
 */
export function webhookRoutes(router: Router, store: Store, allowPrivate: boolean) {
  router.get('/me/webhook', async (ctx) => {
    const id = ctx.state.account.id as number;
    const hook = await store.webhook(id);
    ctx.body = {
      webhook: hook ? { url: hook.url, secret: hook.secret, signatureHeader } : null,
      deliveries: (await store.webhookDeliveries(id, 20)).map(deliveryJson),
    };
  });

  router.put('/me/webhook', async (ctx) => {
    const id = ctx.state.account.id as number;
    const body = (ctx.request as { body?: unknown }).body;
    if (body === null || typeof body !== 'object') throw new ApiError(400, 'send JSON {"url":"https://…"}');
    const { url, rotateSecret } = body as { url?: unknown; rotateSecret?: unknown };
    const check = webhookUrl(url);
    if (!check.ok) throw new ApiError(400, check.error);
    const refused = allowPrivate ? undefined : privateHost(check.url);
    if (refused) throw new ApiError(400, `${refused}: webhooks go to public addresses only (an operator may set WEBHOOK_ALLOW_PRIVATE=1)`);
    const old = await store.webhook(id);
    const secret = old && rotateSecret !== true ? old.secret : newWebhookSecret();
    await store.setWebhook(id, { url: check.url, secret }, Date.now());
    ctx.body = { webhook: { url: check.url, secret, signatureHeader } };
  });

  router.delete('/me/webhook', async (ctx) => {
    await store.setWebhook(ctx.state.account.id as number, null, Date.now());
    ctx.status = 204;
  });
}

function deliveryJson(d: WebhookDelivery) {
  return {
    id: d.id, state: d.state, attempts: d.attempts, lastError: d.lastError, body: d.body, url: d.url,
    createdAt: new Date(d.createdAt).toISOString(), doneAt: d.doneAt === null ? null : new Date(d.doneAt).toISOString(),
    nextAttemptAt: d.state === 'pending' ? new Date(d.dueAt).toISOString() : null,
  };
}
