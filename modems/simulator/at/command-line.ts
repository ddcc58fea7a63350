import type { Command } from './types.ts';

/**
 * Splits what follows `AT` into commands, as V.250 §5.2 does: basic commands
 * run together (`E0V1`, `&F`), extended ones are separated by `;`
 * (`+CMEE=1;+CREG=2`). Undefined on a syntax error, which answers `ERROR`.
 */
export function parseCommandLine(body: string): Command[] | undefined {
  const out: Command[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === ';' || c === ' ') {
      i++;
    } else if ('+^$%#*'.includes(c)) {
      const name = /^[+^$%#*][A-Z0-9_]+/i.exec(body.slice(i))?.[0];
      if (!name) return undefined;
      i += name.length;
      const rest = body.slice(i);
      if (rest.startsWith('=?')) {
        out.push({ name: name.toUpperCase(), form: 'test', args: '' });
        i += 2;
      } else if (rest.startsWith('?')) {
        out.push({ name: name.toUpperCase(), form: 'read', args: '' });
        i += 1;
      } else if (rest.startsWith('=')) {
        const end = argumentsEnd(body, i + 1);
        out.push({ name: name.toUpperCase(), form: 'set', args: body.slice(i + 1, end) });
        i = end;
      } else {
        out.push({ name: name.toUpperCase(), form: 'exec', args: '' });
      }
    } else if (/[A-Z&]/i.test(c)) {
      // Basic command: a letter (or & and a letter) and an optional number; S-registers take =n or ?.
      const m = /^(&?[A-Z])(\d*)(=\d*|\?)?/i.exec(body.slice(i))!;
      const name = m[1]!.toUpperCase() + (m[1]!.toUpperCase() === 'S' ? m[2] : '');
      const args = name.startsWith('S') && name.length > 1 ? (m[3] ?? '').replace(/^=/, '') : m[2]!;
      out.push({ name, form: m[3] === '?' ? 'read' : 'exec', args });
      i += m[0].length;
    } else {
      return undefined;
    }
  }
  return out;
}

/** Where a set command's arguments end: the first `;` outside quotes. */
function argumentsEnd(body: string, from: number): number {
  let quoted = false;
  for (let i = from; i < body.length; i++) {
    if (body[i] === '"') quoted = !quoted;
    else if (body[i] === ';' && !quoted) return i;
  }
  return body.length;
}

/** `1,"*100#",15` → `['1', '*100#', '15']`: commas outside quotes split, quotes dropped, empty kept. */
export function parseArgs(text: string): string[] {
  if (text === '') return [];
  const raw: string[] = [];
  let from = 0;
  let quoted = false;
  for (let i = 0; i <= text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (i === text.length || (text[i] === ',' && !quoted)) {
      raw.push(text.slice(from, i).trim());
      from = i + 1;
    }
  }
  return raw.map((t) => (t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t));
}
