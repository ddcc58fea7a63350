/**
 * The argument list of an information line, `+NAME: a,"b,c",,d`, as 27.007 §4.1
 * writes it: commas separate, double quotes protect commas, empty means omitted.
 */

/** The text after `prefix` (e.g. `+CSQ:`), trimmed; undefined when the line has another prefix. */
export function argsOf(line: string, prefix: string): string | undefined {
  return line.startsWith(prefix) ? line.slice(prefix.length).trim() : undefined;
}

/** Splits on commas outside double quotes; quotes are removed and each field trimmed. */
export function fields(list: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (const ch of list) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(field.trim());
      field = '';
    } else field += ch;
  }
  out.push(field.trim());
  return out;
}

/** A decimal field as a number; undefined when empty or not all digits. */
export function int(field: string | undefined): number | undefined {
  return field !== undefined && /^\d{1,9}$/.test(field) ? Number(field) : undefined;
}

/** True while `text` has an odd number of double quotes: a quoted string runs on past the line end. */
export function openQuote(text: string): boolean {
  let n = 0;
  for (const ch of text) if (ch === '"') n++;
  return n % 2 === 1;
}

/** Hexadecimal digits only, an even count of them: a PDU line as modems print it. */
export function isHex(line: string): boolean {
  return line.length % 2 === 0 && /^[0-9A-Fa-f]+$/.test(line);
}
