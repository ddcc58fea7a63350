import { formatRubles, type Account } from '../../actors/index.ts';
import { dialectWords, when } from './words.ts';

/** Columns padded to their widest cell; money columns (`right`) line up on the decimal point. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) =>
    r.map((cell, i) => (right.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd(),
  );
}

/** An account as `--json` gives it: money as ruble strings, times as ISO 8601. */
export function accountJson(a: Account) {
  return {
    id: a.id, email: a.email, role: a.role, dialect: dialectWords[a.dialect], balance: formatRubles(a.balance),
    createdAt: new Date(a.createdAt).toISOString(),
  };
}

/** An account on one line. */
export function accountLine(a: Account): string {
  return `account ${a.id}  ${a.email}  role ${a.role}  dialect ${dialectWords[a.dialect]}  balance ${formatRubles(a.balance)}  since ${when(a.createdAt)}`;
}
