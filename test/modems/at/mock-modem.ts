import { once } from 'node:events';
import type { ExecutionContext } from 'ava';
import { SerialPortMock } from 'serialport';
import { AtEngine, type AtEngineOptions } from '../../../modems/at/index.ts';

/**
 * An AtEngine over SerialPortMock (modem-notes §2.3): one mock port per test,
 * reads split into 1-byte chunks, and a hook on the binding's write so a test
 * can wait for what the engine sent. SerialPortMock.binding is the registry
 * SerialPortMock opens from; a separately imported binding-mock is another one.
 */
export interface MockModem {
  port: SerialPortMock;
  engine: AtEngine;
  /** Everything the engine wrote, one entry per write. */
  writes: string[];
  /** The next write not yet taken, as soon as the engine makes it. */
  nextWrite(): Promise<string>;
  /** Bytes from the modem. */
  send(bytes: string): void;
}

let ports = 0;

export async function mockModem(
  t: ExecutionContext, options: { echo?: boolean; engine?: AtEngineOptions } = {},
): Promise<MockModem> {
  const path = `/dev/ttyMOCK${++ports}`;
  SerialPortMock.binding.createPort(path, { echo: options.echo ?? false, record: true, maxReadSize: 1 });
  const port = new SerialPortMock({ path, baudRate: 115_200 });
  await once(port, 'open');
  const binding = port.port!;
  const writes: string[] = [];
  let taken = 0;
  let waiter: ((text: string) => void) | undefined;
  const write = binding.write.bind(binding);
  binding.write = async (buffer: Buffer) => {
    await write(buffer);
    await new Promise((resolve) => setImmediate(resolve)); // the binding's echo (a nextTick) goes out before any reply
    writes.push(buffer.toString('latin1'));
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(writes[taken++]!);
    }
  };
  const engine = new AtEngine(port, { timeoutMs: 2_000, ...options.engine });
  t.teardown(async () => {
    engine.close();
    if (port.isOpen) await new Promise((resolve) => port.close(resolve));
  });
  return {
    port, engine, writes,
    nextWrite: () => (taken < writes.length ? Promise.resolve(writes[taken++]!) : new Promise((resolve) => (waiter = resolve))),
    send: (bytes) => binding.emitData(Buffer.from(bytes, 'latin1')),
  };
}

/** A modem that answers each command line from a table (`AT+CSQ` → bytes); anything else gets ERROR. */
export async function scriptedModem(
  t: ExecutionContext, answers: Readonly<Record<string, string>>, options: { echo?: boolean; engine?: AtEngineOptions } = {},
): Promise<MockModem & { heard: string[] }> {
  const modem = await mockModem(t, options);
  const heard: string[] = [];
  void (async () => {
    while (!modem.engine.closed) {
      const command = (await modem.nextWrite()).replace(/\r$/, '');
      heard.push(command);
      modem.send(answers[command] ?? '\r\nERROR\r\n');
    }
  })();
  return Object.assign(modem, { heard });
}

/** Lets the event loop turn `n` times: enough for a few bytes through the 1-byte mock, without a clock. */
export async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
