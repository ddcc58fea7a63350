import test from 'ava';
import { PacedWire } from '../../../modems/simulator/at/index.ts';
import { channel } from './helpers.ts';

/**
 * Byte pacing: a PTY has no baud rate, so the simulator keeps the UART's
 * (115200 8N1: 86.8 µs a byte, modem-notes §5). Lower bounds are exact;
 * upper bounds only guard against a stuck timer.
 */

const msPerByte = 10_000 / 115_200;

test('at 115200 baud, 359 bytes arrive in order, the last no sooner than 31.2 ms after they were sent', async (t) => {
  const got: Buffer[] = [];
  let last = 0;
  let start = 0;
  const bytes = Buffer.from(Array.from({ length: 359 }, (_, i) => i % 256));
  const done = new Promise<void>((resolve) => {
    const wire = new PacedWire(115_200, (chunk) => {
      got.push(chunk);
      last = performance.now();
      if (Buffer.concat(got).length === bytes.length) resolve();
    });
    start = performance.now();
    wire.push(bytes.subarray(0, 100));
    wire.push(bytes.subarray(100));
  });
  await done;
  t.deepEqual(Buffer.concat(got), bytes);
  t.true(last - start >= 359 * msPerByte - 0.01, `${(last - start).toFixed(2)} ms`);
  t.true(last - start < 359 * msPerByte + 1_000); // only a stuck timer would miss this
});

test('without a baud rate, bytes go through at once', (t) => {
  const got: Buffer[] = [];
  const wire = new PacedWire(undefined, (chunk) => got.push(chunk));
  wire.push(Buffer.from('OK'));
  t.deepEqual(got, [Buffer.from('OK')]);
  t.throws(() => new PacedWire(0, () => {}), { instanceOf: RangeError });
});

test('through a PTY at 115200 baud, reading a full 140-octet SMS takes at least its bytes on the wire', async (t) => {
  const { host, modem } = await channel(t, { echo: false, baudRate: 115_200 });
  modem.receive({ from: '+79161234567', text: 'x'.repeat(160), timestamp: new Date() }); // UD = 140 octets
  const command = 'AT+CMGR=1\r';
  const start = performance.now();
  const answer = await host.command(command.trim());
  const elapsed = performance.now() - start;
  const floor = (command.length + answer.length) * msPerByte;
  t.true(answer.length > 300, `${answer.length} bytes`); // 140 octets of UD alone are 280 hex digits
  t.true(elapsed >= floor - 0.01, `${elapsed.toFixed(2)} ms for a ${floor.toFixed(2)} ms floor`);
});
