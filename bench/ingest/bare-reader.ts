import { deliverPdus } from '../../modems/simulator/at/encode.ts';
import { closePort, openPort } from '../../modems/simulator/at/pty.ts';
import type { Simulator } from './simulator.ts';
import { nthSms, type Kind } from './sms-mix.ts';
import { baud, byteMs, wireBytes } from './wire-floor.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One SMS through the bare reader: to the AT+CMGD OK (`ms`), to the AT+CMGL=4 OK, and its wire floor. */
export interface BareSample { kind: Kind; ms: number; toListOkMs: number; floorMs: number }

/**
 * The reference for "what the simulator, the PTY and serialport cost beyond the wire": on its own channel, a
 * loop that waits for `+CMTI`, sends AT+CMGL=4, waits for OK, sends AT+CMGD=i, waits for OK. No decode,
 * no store, no actor. T1 = the CMGL answer's OK (when getsms could first have stored the SMS) and the CMGD OK.
 */
export async function bareRound(sim: Simulator, device: string, phone: string, count: number): Promise<BareSample[]> {
  const port = await openPort(device, baud);
  let buf = '';
  let waiter: { re: RegExp; done: (m: RegExpExecArray) => void } | undefined;
  const check = () => {
    const m = waiter?.re.exec(buf);
    if (!m || !waiter) return;
    buf = buf.slice(m.index + m[0].length);
    const w = waiter;
    waiter = undefined;
    w.done(m);
  };
  port.on('data', (c: Buffer) => {
    buf += c.toString('latin1');
    check();
  });
  const expect = (re: RegExp, ms = 10_000) => new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bare reader: no ${re} in ${ms} ms (got ${JSON.stringify(buf.slice(-200))})`)), ms);
    waiter = { re, done: (m) => (clearTimeout(timer), resolve(m)) };
    check();
  });
  const cmd = async (line: string) => {
    port.write(`${line}\r`);
    return expect(/\r\n(OK|ERROR|\+CM[ES] ERROR: \d+)\r\n/);
  };
  const out: BareSample[] = [];
  try {
    for (const c of ['ATE0', 'AT+CMEE=1', 'AT+CMGF=0', 'AT+CNMI=2,1,0,0,0']) await cmd(c);
    await sleep(300); // the SIM's busy time after start-up
    buf = '';
    for (let i = 0; i <= count; i++) {
      const { kind, text } = nthSms(i, 'Telegram');
      const urc = expect(/\+CMTI: "SM",(\d+)\r\n/);
      await sim.call('POST', '/sms', { to: phone, from: 'Telegram', text });
      const t0 = performance.now();
      const index = Number((await urc)[1]);
      const list = await cmd('AT+CMGL=4');
      const tList = performance.now();
      if (list[1] !== 'OK') throw new Error(`bare reader: AT+CMGL=4 → ${list[1]}`);
      await cmd(`AT+CMGD=${index}`);
      const t1 = performance.now();
      const pdu = deliverPdus({ from: 'Telegram', text, timestamp: new Date() })[0]!;
      if (i > 0) out.push({ kind, ms: t1 - t0, toListOkMs: tList - t0, floorMs: wireBytes(pdu, index) * byteMs });
    }
  } finally {
    await closePort(port);
  }
  return out;
}
