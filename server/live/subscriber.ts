import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { LiveEvent, Log, Store } from '../../actors/index.ts';
import type { Session } from './auth.ts';
import { textFrame } from './frame.ts';
import { chooseTopics, readsAll, wants, wire, type Topic } from './topics.ts';

/** Close codes a client may see (RFC 6455 §7.4.2: 4000–4999 are the application's). */
export const closeCodes = {
  goingAway: 1001, // the server stops
  slowConsumer: 4008, // more than the bound waited unsent: reconnect with ?since=<last id>
  revoked: 4001, // the key (or session) stopped being valid
  tooFarBehind: 4009, // too many events arrived while the resume was still reading the log
} as const;

export interface SubscriberLimits {
  /** Bytes that may wait unsent on the socket before the client counts as slow. */
  maxBufferBytes: number;
  /** Events kept for a client while it replays the log; past this it is asked to reconnect. */
  maxPending: number;
}

const replayPage = 100;

/**
 * One live connection: whose it is, what it listens to, the last event id it
 * was sent, and the bound on what may wait for it. While it replays the log
 * (a `since` resume) new events wait in `pending` and follow the replay.
 */
export class Subscriber {
  readonly ws: WebSocket;
  /** The socket under `ws`: events, framed once by the hub, are written to it as they are. */
  readonly #socket: Duplex;
  readonly session: Session;
  topics: Set<Topic>;
  /** The newest event id sent (or skipped as not for it). */
  cursor: number;
  /** Pings unanswered in a row (a pong or any frame resets it). */
  missedPongs = 0;
  #pending: LiveEvent[] | undefined;
  #closed = false;
  readonly #limits: SubscriberLimits;

  constructor(ws: WebSocket, socket: Duplex, session: Session, topics: Set<Topic>, cursor: number, limits: SubscriberLimits) {
    this.ws = ws;
    this.#socket = socket;
    this.session = session;
    this.topics = topics;
    this.cursor = cursor;
    this.#limits = limits;
  }

  get accountId() {
    return this.session.account.id;
  }

  get closed() {
    return this.#closed;
  }

  /** A new event from the hub, with its WebSocket frame made once for every subscriber. */
  offer(event: LiveEvent, frame: Buffer) {
    if (this.#closed || event.id <= this.cursor) return;
    if (this.#pending) {
      if (this.#pending.length >= this.#limits.maxPending) this.close(closeCodes.tooFarBehind, 'too far behind; resume with since');
      else this.#pending.push(event);
      return;
    }
    if (!wants(this.topics, this.accountId, event)) return;
    this.#send(event.id, frame);
  }

  /**
   * Sends what the log holds after `since` (up to the newest retained), then
   * what arrived meanwhile, then `live.ready`. Yields to the event loop between
   * pages so sockets drain, and stops at the slow-consumer bound like live sends.
   */
  async replay(store: Store, since: number | undefined, oldest: number) {
    if (since === undefined) {
      this.#control({ type: 'live.ready', topics: [...this.topics], lastEventId: this.cursor });
      return;
    }
    this.#pending = [];
    this.cursor = since;
    if (oldest > 0 && since < oldest - 1) {
      // Retention dropped events after `since`: the client must reload state over the API.
      this.#control({ type: 'live.gap', since, oldestEventId: oldest });
    }
    const accountId = readsAll(this.topics) ? undefined : this.accountId;
    for (;;) {
      const page = await store.eventsSince({ after: this.cursor, limit: replayPage, ...(accountId !== undefined ? { accountId } : {}) });
      if (this.#closed) return;
      for (const e of page) this.#deliver(e);
      if (this.#closed) return;
      if (page.length < replayPage) break;
      // A long backlog on a slow link: wait for half the bound to drain before the next page.
      for (let waited = 0; this.ws.bufferedAmount > this.#limits.maxBufferBytes / 2; waited += 10) {
        if (waited >= replayDrainMs) return this.close(closeCodes.slowConsumer, 'slow consumer');
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setImmediate(r));
      if (this.#closed) return;
    }
    const pending = this.#pending;
    this.#pending = undefined;
    for (const e of pending) this.#deliver(e);
    if (!this.#closed) this.#control({ type: 'live.ready', topics: [...this.topics], lastEventId: this.cursor });
  }

  /** A frame from the client: only `subscribe` / `unsubscribe` mean something; anything else gets an error message. */
  onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean, log: Log) {
    this.missedPongs = 0;
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary');
      msg = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
    } catch {
      this.#control({ type: 'error', error: 'send JSON text: {"type":"subscribe","topics":["activations"]}' });
      return;
    }
    const m = (msg !== null && typeof msg === 'object' ? msg : {}) as { type?: unknown; topics?: unknown };
    const words = Array.isArray(m.topics) && m.topics.every((w) => typeof w === 'string') ? (m.topics as string[]) : undefined;
    if ((m.type !== 'subscribe' && m.type !== 'unsubscribe') || !words || words.length > topicLimit) {
      this.#control({ type: 'error', error: 'unknown message; send {"type":"subscribe"|"unsubscribe","topics":[...]}' });
      return;
    }
    const choice = chooseTopics(words, this.session.account.role);
    if (!choice.ok) {
      this.#control({ type: 'error', error: choice.error });
      return;
    }
    if (m.type === 'subscribe') for (const t of choice.topics) this.topics.add(t);
    else for (const t of words) this.topics.delete(t as Topic);
    log.debug({ accountId: this.accountId, topics: [...this.topics] }, 'live topics changed');
    this.#control({ type: 'live.topics', topics: [...this.topics] });
  }

  /** Sends a close frame and drops the socket if the peer does not answer soon (a slow one never would). */
  close(code: number, reason: string) {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = undefined;
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), closeGraceMs).unref();
  }

  /** Marks it closed once the socket is gone (by either side). */
  gone() {
    this.#closed = true;
    this.#pending = undefined;
  }

  #deliver(e: LiveEvent) {
    if (this.#closed || e.id <= this.cursor) return;
    if (!wants(this.topics, this.accountId, e)) {
      this.cursor = e.id;
      return;
    }
    this.#send(e.id, textFrame(Buffer.from(wire(e))));
  }

  #send(id: number, frame: Buffer) {
    this.cursor = id;
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.#socket.write(frame);
    if (this.ws.bufferedAmount > this.#limits.maxBufferBytes) this.close(closeCodes.slowConsumer, 'slow consumer');
  }

  #control(message: Record<string, unknown>) {
    if (this.#closed) return;
    this.ws.send(JSON.stringify(message));
    if (this.ws.bufferedAmount > this.#limits.maxBufferBytes) this.close(closeCodes.slowConsumer, 'slow consumer');
  }
}

const topicLimit = 16;
const closeGraceMs = 5_000;
const replayDrainMs = 30_000;
