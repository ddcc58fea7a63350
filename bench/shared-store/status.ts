import type autocannon from 'autocannon';
import type { Ordered } from '../orders.ts';

/** What the clients saw of getStatus answers. */
export interface StatusTally {
  /** Answers naming the state a fresh activation is in. */
  right: number;
  /** Every other answer, by its word. */
  wrong: Record<string, number>;
}

export const newStatusTally = (): StatusTally => ({ right: 0, wrong: {} });

/** A fresh activation's getStatus: the getsms dialect says it waits for `setStatus=1`, sms-activate's has no such word. */
const fresh = { getsms: 'STATUS_WAIT_READY', smsActivate: 'STATUS_WAIT_CODE' } as const;

interface Ctx { expect?: string }

/**
 * getStatus requests walking `activations` in turn (each asked by the account that ordered it), tallied into
 * `tally`. Requests built by several calls sharing one `rotation` take turns from one sequence, so every server
 * is asked about every activation, its own and those another server opened.
 */
export function statusRequest(activations: Ordered[], tally: StatusTally, rotation = { next: 0 }): autocannon.Request {
  const steps = activations.map(({ id, account }) => ({
    path: `/stubs/handler_api.php?api_key=${account.key}&action=getStatus&id=${id}`,
    expect: fresh[account.dialect],
  }));
  return {
    method: 'GET',
    setupRequest: (req, context) => {
      const step = steps[rotation.next++ % steps.length]!;
      (context as Ctx).expect = step.expect;
      return { ...req, path: step.path };
    },
    onResponse: (status, body, context) => {
      if (status === 200 && body === (context as Ctx).expect) {
        tally.right++;
        return;
      }
      const word = status === 200 ? body.split(':')[0]!.slice(0, 40) : `HTTP ${status}`;
      tally.wrong[word] = (tally.wrong[word] ?? 0) + 1;
    },
  };
}

/** Up to `count` activations, taken evenly from each server's list (and evenly along each list). */
export function spread(opened: Ordered[][], count: number): Ordered[] {
  const each = Math.max(1, Math.floor(count / opened.length));
  return opened.flatMap((list) => {
    const step = Math.max(1, Math.floor(list.length / each));
    return list.filter((_, i) => i % step === 0).slice(0, each);
  });
}
