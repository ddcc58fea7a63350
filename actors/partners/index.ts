import type { Store } from '../store.ts';

/**
 * The partner program: software authors put their partner code in every
 * request their software makes (`ref=`, as sms-activate's clients do:
 * `ref=20111`, `ref=pythonsmsactivate`), and earn a share of each price their
 * software's orders pay. A code is the partner's own word, or its account id.
 */

/** A partner code as software sends it: 1–64 letters, digits, `.`, `_`, `@`, `-`; compared without case. */
export function partnerCode(text: string): string | undefined {
  const code = text.trim();
  return /^[A-Za-z0-9._@-]{1,64}$/.test(code) ? code.toLowerCase() : undefined;
}

/** A share typed in percent (`10`, `12.5`, `0.25`) as basis points, 0–10000; undefined for anything else. */
export function shareBasisPoints(text: string): number | undefined {
  const m = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(text.trim().replace(/%$/, ''));
  if (!m) return undefined;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
  return bp <= 10_000 ? bp : undefined;
}

/** Basis points as the percent people read: 1250 → "12.5". */
export function sharePercent(bp: number): string {
  return String(bp / 100);
}

/**
 * The referral an order carries: the partner its `ref` names, with that
 * partner's share now. None for an unknown or malformed code (ignored, as
 * clients send refs of other services too), a share of 0, or a partner's own
 * orders (a commission on oneself would be a discount).
 */
export async function referralFor(
  store: Store, ref: string | undefined, accountId: number,
): Promise<{ partnerId: number; shareBp: number } | undefined> {
  const code = ref === undefined ? undefined : partnerCode(ref);
  if (!code) return undefined;
  const partner = await store.partnerByCode(code);
  if (!partner || partner.accountId === accountId || partner.shareBp === 0) return undefined;
  return { partnerId: partner.accountId, shareBp: partner.shareBp };
}
