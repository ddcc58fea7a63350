import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ActivationRegistry, Clock, Log, RentRegistry, Store } from '../../actors/index.ts';
import { apiKeyAuthenticator, type Authenticator, type Session } from './auth.ts';
import { FarmJournal } from './farm.ts';
import { Hub } from './hub.ts';
import { Journal } from './journal.ts';
import { Subscriber } from './subscriber.ts';
import { chooseTopics, type Topic } from './topics.ts';

export interface LiveOptions {
  store: Store;
  registry: ActivationRegistry;
  /** Rented numbers: their news goes to each renter's own stream. */
  rents?: RentRegistry;
  clock: Clock;
  log: Log;
  heartbeatMs: number;
  maxBufferBytes: number;
  pollMs: number;
  retentionMs: number;
  retentionEvents: number;
  /** Tried in order; the API key one when none are given (a browser session authenticator goes first later). */
  authenticators?: Authenticator[];
}

/** The path the live channel answers on, on every server it is attached to. */
export const livePath = '/ws';

/** Client frames are small JSON commands: a few KiB is plenty (ws would allow 100 MiB). */
const maxPayload = 4096;
/** Events kept for one client while its resume reads the log. */
const maxPending = 10_000;

/**
 * The live channel: WebSocket at /ws on the HTTP (and HTTPS) servers,
 * authenticated during the upgrade, fed by the journal through the hub.
 */
export class LiveChannel {
  readonly journal: Journal;
  /** The farm's news (channels, SIMs, raw SMS) into the log: hand `farm.tell` to whatever announces it. */
  readonly farm: FarmJournal;
  readonly hub: Hub;
  readonly #o: LiveOptions;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
  readonly #authenticators: Authenticator[];
  readonly #servers: { server: Server; listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void }[] = [];

  constructor(options: LiveOptions) {
    this.#o = options;
    this.#authenticators = options.authenticators ?? [apiKeyAuthenticator(options.store)];
    this.journal = new Journal(options);
    this.farm = new FarmJournal({ ...options, journal: this.journal });
    this.hub = new Hub(options);
  }

  async start() {
    await this.hub.start();
    this.journal.onRecorded((e) => this.hub.recorded(e));
    this.journal.follow(this.#o.registry);
    if (this.#o.rents) this.journal.followRents(this.#o.rents);
  }

  /** Answers WebSocket upgrades on `server` (an http or https server). */
  readonly #elsewhere: string[] = [];

  attach(server: Server) {
    const listener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#upgrade(req, socket, head);
    server.on('upgrade', listener);
    this.#servers.push({ server, listener });
  }

  async stop() {
    for (const { server, listener } of this.#servers) server.off('upgrade', listener);
    await this.farm.settled();
    await this.journal.stop();
    await this.hub.stop();
  }

  /** Upgrades under `prefix` belong to another endpoint on the same servers (the agents' socket.io at /agents/): left to it. */
  leave(prefix: string) {
    this.#elsewhere.push(prefix);
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on('error', () => {}); // a peer that resets mid-handshake is no server error
    try {
      const url = new URL(req.url ?? '/', 'http://live.invalid');
      if (this.#elsewhere.some((prefix) => url.pathname.startsWith(prefix))) return;
      if (url.pathname !== livePath) return refuse(socket, 404, `the live channel is at ${livePath}`);
      const session = await this.#authenticate(req, url);
      if (!session) return refuse(socket, 401, 'a valid API key is needed: ?api_key=<key> or "Authorization: Bearer <key>"');
      const choice = chooseTopics((url.searchParams.get('topics') ?? '').split(','), session.account.role);
      if (!choice.ok) return refuse(socket, choice.status, choice.error);
      const since = sinceOf(url.searchParams.get('since'));
      if (since === null) return refuse(socket, 400, '"since" must be the id of the last event received (a whole number)');
      const oldest = since === undefined ? 0 : (await this.#o.store.eventBounds()).oldest;
      if (socket.destroyed) return;
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#join(ws, socket, session, choice.topics, since, oldest));
    } catch (err) {
      this.#o.log.error({ err }, 'live channel upgrade failed');
      refuse(socket, 503, 'the live channel is unavailable; try again');
    }
  }

  async #authenticate(req: IncomingMessage, url: URL): Promise<Session | undefined> {
    for (const authenticate of this.#authenticators) {
      const session = await authenticate(req, url);
      if (session) return session;
    }
    return undefined;
  }

  #join(ws: WebSocket, socket: Duplex, session: Session, topics: Set<Topic>, since: number | undefined, oldest: number) {
    const { log, store } = this.#o;
    const sub = new Subscriber(ws, socket, session, topics, this.hub.lastEventId, { maxBufferBytes: this.#o.maxBufferBytes, maxPending });
    ws.on('error', (err) => log.debug({ err, accountId: sub.accountId }, 'live connection error'));
    ws.on('pong', () => {
      sub.missedPongs = 0;
    });
    ws.on('message', (data, isBinary) => {
      try {
        sub.onMessage(data, isBinary, log);
      } catch (err) {
        log.error({ err, accountId: sub.accountId }, 'live message not handled');
      }
    });
    ws.on('close', () => {
      sub.gone();
      this.hub.remove(sub);
    });
    this.hub.add(sub);
    sub.replay(store, since, oldest).catch((err: unknown) => {
      log.error({ err, accountId: sub.accountId }, 'live resume failed');
      sub.close(1011, 'resume failed; try again');
    });
  }
}

/** undefined: no `since` (live from now); null: not a whole number. */
function sinceOf(raw: string | null): number | undefined | null {
  if (raw === null || raw === '') return undefined;
  return /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

/** A plain HTTP refusal on the upgrade socket: a status and one JSON sentence, never a stack trace. */
function refuse(socket: Duplex, status: 400 | 401 | 403 | 404 | 503, message: string) {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: message });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
