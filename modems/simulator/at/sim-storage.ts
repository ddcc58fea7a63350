/** 27.005 `<stat>` in PDU mode: 0 received unread, 1 received read, 2 stored unsent, 3 stored sent. */
export type MessageStat = 0 | 1 | 2 | 3;

export interface StoredMessage {
  stat: MessageStat;
  /** Hex, SMSC octets first, as `+CMGR` prints it. */
  pdu: string;
}

/** `AT+CMGD=<i>,<flag>`: which messages flags 1–4 delete besides `<i>` (27.005 §3.5.4). */
const deletedByFlag: Readonly<Record<number, readonly MessageStat[]>> = {
  0: [],
  1: [1],
  2: [1, 3],
  3: [1, 2, 3],
  4: [0, 1, 2, 3],
};

/**
 * The SMS memory of one SIM ("SM"): numbered cells 1…capacity, as SIM800 and
 * smsd's `memory_start=1` count them. It travels with the SIM when the SIM moves.
 */
export class SimStorage {
  readonly #cells: (StoredMessage | undefined)[];

  constructor(readonly capacity = 30) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`storage capacity must be a positive integer, got ${capacity}`);
    this.#cells = new Array(capacity).fill(undefined);
  }

  get used(): number {
    return this.#cells.filter(Boolean).length;
  }

  inRange(index: number): boolean {
    return Number.isInteger(index) && index >= 1 && index <= this.capacity;
  }

  /** Stores in the lowest free cell and returns its index; undefined when full. */
  store(pdu: string, stat: MessageStat = 0): number | undefined {
    const free = this.#cells.findIndex((c) => !c);
    if (free === -1) return undefined;
    this.#cells[free] = { stat, pdu };
    return free + 1;
  }

  /** The message at `index` (undefined for an empty cell); reading an unread one marks it read. */
  read(index: number, mark = true): StoredMessage | undefined {
    const cell = this.#cells[index - 1];
    if (!cell) return undefined;
    const seen = { ...cell };
    if (mark && cell.stat === 0) cell.stat = 1;
    return seen;
  }

  /** `AT+CMGL=<stat>` (4 = all) as [index, message as it was before listing marked it read]. */
  list(stat: MessageStat | 4, mark = true): [number, StoredMessage][] {
    const out: [number, StoredMessage][] = [];
    this.#cells.forEach((cell, i) => {
      if (!cell || (stat !== 4 && cell.stat !== stat)) return;
      out.push([i + 1, { ...cell }]);
      if (mark && cell.stat === 0) cell.stat = 1;
    });
    return out;
  }

  /** Deletes `index` and, per `flag`, every message of the flagged stats; returns how many cells it freed. */
  delete(index: number, flag = 0): number {
    const stats = deletedByFlag[flag] ?? [];
    let freed = 0;
    this.#cells.forEach((cell, i) => {
      if (cell && (i === index - 1 || stats.includes(cell.stat))) {
        this.#cells[i] = undefined;
        freed++;
      }
    });
    return freed;
  }

  /** Every stored message with its index, without marking anything read (for the control API). */
  snapshot(): { index: number; stat: MessageStat; pdu: string }[] {
    return this.list(4, false).map(([index, m]) => ({ index, ...m }));
  }
}

/** The TPDU length `+CMGL`/`+CMGR`/`+CMT` print: octets after the SMSC field. */
export function tpduLength(pdu: string): number {
  const smsc = parseInt(pdu.slice(0, 2), 16);
  return pdu.length / 2 - 1 - (Number.isNaN(smsc) ? 0 : smsc);
}
