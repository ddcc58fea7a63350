import type { Kopecks } from '../money.ts';

/** Words that introduce the balance in operators' replies (Russian, its Latin transliterations, English). */
const balanceWord = /(баланс|balans|balance|остаток|ostatok|на\s+сч[её]те|na\s+schete|guthaben|saldo)/i;
/** A currency right after an amount: rubles as operators write them, and the farm's other currencies. */
const currency = /^\s*(р\b|р\.|руб|rub|r\b|r\.|₽|тг|tg|тенге|грн|uah|byn|pln|zł|eur|€|£)/i;
/**
 * An amount: an optional minus (`-`, `−`, `минус`), whole rubles with thin,
 * plain or no-break space thousands, and kopecks after `,` or `.`. It never
 * starts inside a longer run of digits (a date, a phone number).
 */
const amount = /(?<![\d.,])(минус\s*|minus\s*|[-−]\s*)?(\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?![\d])/giu;

/**
 * The balance in an operator's USSD reply, in kopecks: "Баланс: 123,45 р.",
 * "Ваш баланс -12.5 руб.", "Balans:1 234.56r", "Минус 50 р.". After a
 * balance word the first amount counts; without one, only an amount followed
 * by a currency does. Undefined when the reply has no balance in it ("Сервис
 * временно недоступен").
 */
export function balanceIn(reply: string): Kopecks | undefined {
  const text = reply.replace(/\s+/g, ' ');
  const word = balanceWord.exec(text);
  const from = word ? word.index + word[0].length : 0;
  amount.lastIndex = from;
  for (let m = amount.exec(text); m; m = amount.exec(text)) {
    const after = text.slice(m.index + m[0].length);
    if (!word && !currency.test(after)) continue;
    const rubles = Number(m[2]!.replace(/\D/g, ''));
    const kopecks = Number((m[3] ?? '0').padEnd(2, '0'));
    if (!Number.isSafeInteger(rubles * 100)) return undefined;
    const value = rubles * 100 + kopecks;
    return m[1] ? -value : value;
  }
  return undefined;
}
