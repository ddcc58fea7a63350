/** The SMS mix every reader gets, in turn: short GSM-7, a full 160-character GSM-7, 70 characters of Cyrillic UCS2. */
export type Kind = 'gsm7-short' | 'gsm7-160' | 'ucs2-70';
export const kinds: Kind[] = ['gsm7-short', 'gsm7-160', 'ucs2-70'];

/** The `i`th SMS of `kind` from the service `name`, with a code that differs each time. */
export function textOf(kind: Kind, i: number, name: string): string {
  const code = String(100_000 + ((i * 7919) % 900_000));
  if (kind === 'gsm7-short') return `${name} code: ${code}`;
  if (kind === 'gsm7-160') {
    const head = `Your ${name} code is ${code}. Do not share it with anyone, our staff will never ask for it. `;
    return (head + 'Ignore this message if you did not ask for a code at all. '.repeat(3)).slice(0, 160);
  }
  const head = `Код ${code}. Никому не сообщайте этот код, `;
  return (head + 'даже сотрудникам службы поддержки сервиса. ').slice(0, 70);
}

/** The `i`th SMS of the mix: its kind and text. */
export function nthSms(i: number, name: string): { kind: Kind; text: string } {
  const kind = kinds[i % kinds.length]!;
  return { kind, text: textOf(kind, i, name) };
}
