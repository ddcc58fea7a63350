/** Money is integer kopecks everywhere inside; rubles with two decimals only at the edge. */
export type Kopecks = number;

/** `12345` → `"123.45"`; negative amounts keep their sign. */
export function formatRubles(k: Kopecks): string {
  const sign = k < 0 ? '-' : '';
  const a = Math.abs(k);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** `"49"`, `"49.5"`, `"49.50"` → kopecks; undefined for anything else (no exponents, no thousands). */
export function parseRubles(text: string): Kopecks | undefined {
  const m = /^(-?)(\d{1,12})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const k = Number(m[2]) * 100 + Number((m[3] ?? '0').padEnd(2, '0'));
  return m[1] === '-' ? -k : k;
}

/** Kopecks as a JSON number of rubles (`21.95`), as sms-activate's JSON answers carry prices. */
export function rublesNumber(k: Kopecks): number {
  return k / 100;
}
