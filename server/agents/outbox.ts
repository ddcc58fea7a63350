import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingSms } from '../../modems/index.ts';

/** One SMS waiting for the server's ack, and the channel whose sweep read it. */
export interface Waiting {
  channel: string;
  sms: IncomingSms;
}

/**
 * An agent's SMS on its own disk until the server acks that it stored them:
 * a file per SMS, named by its fingerprint (a copy read again overwrites it),
 * written to a temporary name, flushed and renamed, so a power cut leaves
 * either the whole SMS or none of it. Removed once acked.
 */
export class Outbox {
  readonly #dir: string;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, 'outbox');
  }

  async open() {
    await mkdir(this.#dir, { recursive: true });
  }

  async put(w: Waiting) {
    const file = this.#file(w.sms.fingerprint);
    const part = `${file}.part`;
    const handle = await open(part, 'w');
    try {
      await handle.writeFile(JSON.stringify(w));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(part, file);
  }

  async done(fingerprint: string) {
    await rm(this.#file(fingerprint), { force: true });
  }

  /** Everything still waiting, oldest reception first. */
  async waiting(): Promise<Waiting[]> {
    const names = (await readdir(this.#dir)).filter((n) => n.endsWith('.json'));
    const all: Waiting[] = [];
    for (const name of names) {
      try {
        all.push(JSON.parse(await readFile(join(this.#dir, name), 'utf8')) as Waiting);
      } catch {
        // Gone meanwhile (acked by a sweep running beside this one): nothing to send.
      }
    }
    return all.sort((a, b) => a.sms.receivedAt - b.sms.receivedAt);
  }

  #file(fingerprint: string): string {
    const name = /^[0-9a-f]{64}$/.test(fingerprint) ? fingerprint : createHash('sha256').update(fingerprint).digest('hex');
    return join(this.#dir, `${name}.json`);
  }
}
