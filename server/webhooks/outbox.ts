import type { Clock, LiveEvent, Log, RentNews, Store, WebhookDelivery } from '../../actors/index.ts';
import { smsPayload } from './payload.ts';
import { rentSmsPayloads } from './rent-payload.ts';
import { post } from './post.ts';
import { signature, signatureHeader } from './signature.ts';

export interface WebhookOptions {
  store: Store;
  clock: Clock;
  log: Log;
  /** The first retry comes this long after a failure; each next one waits twice as long. */
  retryMs: number;
  /** Attempts in all, the first included; then the delivery is given up. */
  attempts: number;
  /** How long one POST may take. */
  timeoutMs: number;
  /** Deliver to loopback, private and link-local addresses too (WEBHOOK_ALLOW_PRIVATE); off by default (SSRF). */
  allowPrivate: boolean;
  /** Finished deliveries are kept this long (for GET /api/me/webhook), then pruned. */
  keepMs: number;
}

/** Deliveries sent at once by one process. */
const batch = 16;
const pruneEveryMs = 3_600_000;

/**
 * Webhook deliveries. An SMS for an account with a webhook queues one
 * delivery in the store (keyed by activation and SMS, so it is queued once);
 * a worker takes due deliveries under a lease, POSTs them signed, and
 * reschedules failures with exponential back-off. The queue lives in the
 * store, so a restart loses nothing, and several processes can share it.
 * A process that dies mid-POST leaves the lease to run out and the delivery
 * is sent again: at least once; receivers de-duplicate by X-Getsms-Delivery.
 */
export class Webhooks {
  readonly #o: WebhookOptions;
  #timers: NodeJS.Timeout[] = [];
  #working: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(options: WebhookOptions) {
    this.#o = options;
  }

  start() {
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(Math.min(1000, Math.max(20, Math.floor(this.#o.retryMs / 2))), () => void this.kick());
    every(pruneEveryMs, () => void this.#prune());
    void this.#prune();
    void this.kick();
  }

  /** An event this process recorded: an SMS for an account with a webhook queues its delivery. */
  async offer(e: LiveEvent): Promise<void> {
    const payload = smsPayload(e);
    if (!payload || e.accountId === null) return;
    const { store, clock, log } = this.#o;
    try {
      const hook = await store.webhook(e.accountId);
      if (!hook) return;
      const now = clock.now();
      await store.enqueueWebhook({
        key: `sms:${payload.activationId}:${String(e.data.smsId ?? e.id)}`, accountId: e.accountId, url: hook.url,
        body: JSON.stringify(payload), createdAt: now, dueAt: now,
      });
      void this.kick();
    } catch (err) {
      log.error({ err, accountId: e.accountId }, 'webhook delivery not queued');
    }
  }

  /** A rented number's SMS: for an account with a webhook, queued once per rent and SMS in sms-activate's rent shape. */
  async offerRent(news: RentNews): Promise<void> {
    const payloads = rentSmsPayloads(news);
    if (payloads.length === 0) return;
    const { store, clock, log } = this.#o;
    const accountId = news.rent.accountId;
    try {
      const hook = await store.webhook(accountId);
      if (!hook) return;
      const now = clock.now();
      for (const { smsId, payload } of payloads) {
        await store.enqueueWebhook({
          key: `rent-sms:${news.rent.id}:${smsId}`, accountId, url: hook.url, body: JSON.stringify(payload), createdAt: now, dueAt: now,
        });
      }
      void this.kick();
    } catch (err) {
      log.error({ err, accountId }, 'rent webhook delivery not queued');
    }
  }

  /** Sends what is due (one round at a time; a kick meanwhile runs another). */
  kick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#working) {
      this.#again = true;
      return this.#working;
    }
    this.#working = this.#round().finally(() => {
      this.#working = undefined;
      if (this.#again) {
        this.#again = false;
        void this.kick();
      }
    });
    return this.#working;
  }

  async stop() {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    await this.#working;
  }

  async #round() {
    const { store, clock, log, timeoutMs } = this.#o;
    try {
      for (;;) {
        const now = clock.now();
        // The lease outlasts the POST's timeout: nobody else takes it while it may still be in flight.
        const due = await store.claimWebhooks({ now, leaseUntil: now + 2 * timeoutMs, limit: batch });
        await Promise.all(due.map((d) => this.#deliver(d)));
        if (due.length < batch || this.#stopped) return;
      }
    } catch (err) {
      log.error({ err }, 'webhook deliveries not read');
    }
  }

  async #deliver(d: WebhookDelivery) {
    const { store, clock, log, retryMs, attempts, timeoutMs } = this.#o;
    const hook = await store.webhook(d.accountId);
    let error: string | undefined;
    if (!hook) error = 'the webhook was removed';
    else {
      const res = await post(d.url, d.body, {
        'content-type': 'application/json',
        'user-agent': 'getsms-webhook/1',
        'x-getsms-delivery': String(d.id),
        'x-getsms-attempt': String(d.attempts),
        [signatureHeader]: signature(hook.secret, d.body, Math.floor(clock.now() / 1000)),
      }, { timeoutMs, allowPrivate: this.#o.allowPrivate });
      if ('error' in res) error = res.error;
      else if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
    }
    const at = clock.now();
    if (error === undefined) {
      await store.finishWebhook(d.id, { delivered: true, at });
      return;
    }
    const retryAt = d.attempts >= attempts || !hook ? null : at + retryMs * 2 ** (d.attempts - 1);
    log.warn({ deliveryId: d.id, accountId: d.accountId, attempt: d.attempts, error, retryAt }, 'webhook not delivered');
    await store.finishWebhook(d.id, { delivered: false, error, retryAt, at });
  }

  async #prune() {
    try {
      await this.#o.store.pruneWebhooks(this.#o.clock.now() - this.#o.keepMs);
    } catch (err) {
      this.#o.log.warn({ err }, 'webhook deliveries not pruned');
    }
  }
}
