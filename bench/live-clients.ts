import { WebSocket } from 'ws';

/**
 * One process of bench/live.ts's subscribers (forked, with an IPC channel):
 * opens LIVE_CLIENTS WebSocket connections to LIVE_URL with LIVE_KEY, a
 * batch at a time, and reports `{ open }`. Then, for each `{ round, code }`
 * the parent sends, it answers with the wall-clock time (ms, sub-ms precision)
 * at which each connection received the `sms.received` event with that code.
 */
const url = process.env.LIVE_URL!;
const count = Number(process.env.LIVE_CLIENTS);
const batch = 200;
const now = () => performance.timeOrigin + performance.now();

const sockets: WebSocket[] = [];
/** Per code: receive times, one per connection that saw it. */
const seen = new Map<string, number[]>();
const waiting = new Map<string, () => void>();

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.on('message', (data: Buffer) => {
      const at = now();
      // Only the SMS events matter; a cheap look before parsing.
      if (!data.includes('"sms.received"')) return;
      const code = (JSON.parse(data.toString()) as { code?: string }).code ?? '';
      let times = seen.get(code);
      if (!times) seen.set(code, (times = []));
      times.push(at);
      if (times.length === sockets.length) waiting.get(code)?.();
    });
  });
}

for (let i = 0; i < count; i += batch) {
  const more = await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => open()));
  sockets.push(...more);
}
for (const ws of sockets) ws.on('error', () => {});
process.send!({ open: sockets.length });

process.on('message', (msg: { round: number; code: string; timeoutMs: number }) => {
  const answer = () => process.send!({ round: msg.round, times: seen.get(msg.code) ?? [] });
  if ((seen.get(msg.code)?.length ?? 0) >= sockets.length) return answer();
  const timer = setTimeout(answer, msg.timeoutMs);
  waiting.set(msg.code, () => {
    clearTimeout(timer);
    answer();
  });
});
process.on('disconnect', () => {
  for (const ws of sockets) ws.terminate();
  process.exit(0);
});
