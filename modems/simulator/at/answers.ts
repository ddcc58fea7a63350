import type { Reply, Result } from './types.ts';

/** `OK` with information lines. */
export const ok = (...lines: string[]): Reply => ({ lines, result: 'OK' });
export const error = (): Reply => ({ lines: [], result: 'ERROR' });
/** 27.007 §9.2 `+CME ERROR: <n>`; plain `ERROR` while `AT+CMEE=0`. */
export const cme = (n: number): Reply => ({ lines: [], result: { cme: n } });
/** 27.005 §3.2.5 `+CMS ERROR: <n>`. */
export const cms = (n: number): Reply => ({ lines: [], result: { cms: n } });

/** The +CME codes the simulator answers, with the 27.007 text `AT+CMEE=2` prints. */
export const cmeText: Readonly<Record<number, string>> = {
  3: 'operation not allowed',
  4: 'operation not supported',
  10: 'SIM not inserted',
  13: 'SIM failure',
  14: 'SIM busy',
  30: 'no network service',
  50: 'incorrect parameters',
  100: 'unknown',
};

/** The final result code as the wire carries it, per `AT+CMEE`. */
export function resultLine(result: Result, cmee: 0 | 1 | 2): string {
  if (result === 'OK' || result === 'ERROR') return result;
  if ('cms' in result) return `+CMS ERROR: ${result.cms}`;
  if (cmee === 0) return 'ERROR';
  return `+CME ERROR: ${cmee === 2 ? (cmeText[result.cme] ?? result.cme) : result.cme}`;
}

/**
 * A whole answer in V.250 verbose form: `\r\n` before the first information
 * line and after each, then `\r\n<result>\r\n`, or the 27.005 prompt `\r\n> `.
 */
export function answerText(reply: Reply, cmee: 0 | 1 | 2): string {
  const info = reply.lines.length > 0 ? `\r\n${reply.lines.join('\r\n')}\r\n` : '';
  return info + (reply.prompt ? '\r\n> ' : `\r\n${resultLine(reply.result, cmee)}\r\n`);
}

/** An unsolicited result code on the wire. */
export const urcText = (line: string) => `\r\n${line}\r\n`;
