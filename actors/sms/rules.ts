import { randomInt } from 'node:crypto';
import { serviceById, services, type ServiceDef, type ServiceRule } from '../catalogue/index.ts';

interface Compiled {
  match: RegExp | null;
  code: RegExp | null;
}

/** The first group of 4–8 digits that is not part of a longer number. */
const anyCode = /(?<!\d)(\d{4,8})(?!\d)/;

/**
 * Which service an SMS belongs to and where its code is: the catalogue's
 * rules with the admins' overrides on top. A rule that does not compile falls
 * back to the catalogue's, so a typo by an admin never stops SMS routing.
 */
export class SmsRules {
  #compiled = new Map<string, Compiled>();

  constructor(overrides: Map<string, ServiceRule> = new Map()) {
    for (const s of services) this.#compiled.set(s.id, compile(overrides.get(s.id) ?? s.rule, s.rule));
  }

  /** True when the SMS names the service in its sender or text; a catch-all rule matches nothing here. */
  names(service: string, from: string, text: string): boolean {
    const m = this.#compiled.get(service)?.match;
    return !!m && (m.test(from) || m.test(text));
  }

  /** True for services that take any SMS no other service claimed ("not in list"). */
  catchesAll(service: string): boolean {
    return this.#compiled.get(service)?.match === null;
  }

  /** The code in an SMS text for a service: the rule's groups joined, else the first 4–8 digit group. */
  code(service: string, text: string): string {
    const rule = this.#compiled.get(service)?.code;
    const m = rule?.exec(text);
    if (m && m.length > 1) return m.slice(1).join('');
    return anyCode.exec(text)?.[1] ?? '';
  }
}

function compile(rule: ServiceRule, fallback: ServiceRule): Compiled {
  try {
    return {
      match: rule.match === '' ? null : new RegExp(rule.match, 'i'),
      code: rule.code ? new RegExp(rule.code) : null,
    };
  } catch {
    return compile(fallback, { match: '' });
  }
}

/** A realistic SMS for a service, as the demo responder and the simulator send it. */
export function sampleSms(serviceId: string): { from: string; text: string; code: string } {
  const service: ServiceDef | undefined = serviceById(serviceId);
  const code = String(randomInt(100_000, 1_000_000));
  const sample = service?.sample ?? { from: 'INFO', text: 'Your code is {code}' };
  const text = sample.text
    .replaceAll('{code3}', code.slice(0, 3))
    .replaceAll('{code3b}', code.slice(3))
    .replaceAll('{code}', code);
  return { from: sample.from, text, code };
}
