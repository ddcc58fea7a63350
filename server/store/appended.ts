import type { LiveEvent } from '../../actors/index.ts';

type Listener = (events: readonly LiveEvent[]) => void;

/** Who hears of the events a store appended (`Store.onAppended`), told once each write is durable. */
export class AppendedListeners {
  readonly #listeners = new Set<Listener>();

  add(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  tell(events: readonly LiveEvent[]) {
    if (events.length === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch {
        // the listener's fault is its own (the live channel logs its own); the write it follows is done
      }
    }
  }
}
