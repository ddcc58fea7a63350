import test from 'ava';
import { AtLineParser, PROMPT } from '../../../modems/at/index.ts';
import { transcripts, type Transcript } from './fixtures.ts';

/** Feeds chunks through a fresh parser and collects every token, tail included. */
async function tokensOf(chunks: readonly (string | Buffer)[], maxLine?: number): Promise<string[]> {
  const parser = new AtLineParser(maxLine);
  const tokens: string[] = [];
  parser.on('data', (token: string) => tokens.push(token));
  const ended = new Promise((resolve) => parser.on('end', resolve));
  for (const chunk of chunks) parser.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  parser.end();
  await ended;
  return tokens;
}

/** A seeded xorshift: the same splits on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
}

function splitAt(bytes: string, cuts: number[]): string[] {
  const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
  return points.slice(1).map((end, i) => bytes.slice(points[i], end));
}

for (const [name, { bytes, tokens }] of Object.entries(transcripts) as [string, Transcript][]) {
  test(`${name}: whole, split at every offset, byte by byte and randomly, the same tokens`, async (t) => {
    t.deepEqual(await tokensOf([bytes]), tokens);
    for (let cut = 1; cut < bytes.length; cut++) t.deepEqual(await tokensOf(splitAt(bytes, [cut])), tokens, `cut at ${cut}`);
    t.deepEqual(await tokensOf([...bytes]), tokens, 'one byte at a time');
    const next = random(bytes.length);
    for (let round = 0; round < 200; round++) {
      const cuts = Array.from({ length: 1 + Math.floor(next() * 6) }, () => Math.floor(next() * bytes.length));
      t.deepEqual(await tokensOf(splitAt(bytes, cuts)), tokens, `cuts ${cuts.join(',')}`);
    }
  });
}

test('the > prompt is a token although no line end follows it', async (t) => {
  t.deepEqual(await tokensOf(['AT+CMGS=18\r\r\n> ']), ['AT+CMGS=18', PROMPT]);
  t.deepEqual(await tokensOf(['\r\n>', ' ']), [PROMPT], 'split between > and space');
  t.deepEqual(await tokensOf(['\r\n> 0011\x1a\r\n']), [PROMPT, '0011\x1a'], 'echoed input follows the prompt');
});

test('a > that does not start a line, or lacks its space, is text', async (t) => {
  t.deepEqual(await tokensOf(['+CUSD: 0,"a > b"\r\n']), ['+CUSD: 0,"a > b"']);
  t.deepEqual(await tokensOf(['>\r\n']), ['>']);
});

test('CRLF, lone CR, lone LF and blank lines all frame the same lines', async (t) => {
  const want = ['OK', '+CSQ: 1,2', 'OK'];
  for (const bytes of ['OK\r\n+CSQ: 1,2\r\nOK\r\n', 'OK\r+CSQ: 1,2\rOK\r', 'OK\n+CSQ: 1,2\nOK\n', '\r\n\r\nOK\r\n\r\n\r\n+CSQ: 1,2\n\rOK\r\r']) {
    t.deepEqual(await tokensOf([bytes]), want, JSON.stringify(bytes));
  }
});

test('latin1: every byte is one character, none lost or merged', async (t) => {
  const bytes = Buffer.from([0x41, 0xff, 0x00, 0xc3, 0xa9, 0x0d, 0x0a]);
  t.deepEqual(await tokensOf([bytes]), ['A\xff\x00\xc3\xa9']);
});

test('a line longer than maxLine is dropped whole, however it arrives, and the buffer stays bounded', async (t) => {
  const long = 'X'.repeat(100);
  const bytes = `OK\r\n${long}\r\n+CSQ: 9,9\r\n${'Y'.repeat(16)}\r\nOK\r\n`;
  const want = ['OK', '+CSQ: 9,9', 'Y'.repeat(16), 'OK'];
  t.deepEqual(await tokensOf([bytes], 16), want);
  t.deepEqual(await tokensOf([...bytes], 16), want, 'byte by byte');
  for (let cut = 1; cut < bytes.length; cut++) t.deepEqual(await tokensOf(splitAt(bytes, [cut]), 16), want);

  const parser = new AtLineParser(16);
  let most = 0;
  for (let i = 0; i < 1000; i++) {
    parser.write(Buffer.from('Z'.repeat(7)));
    most = Math.max(most, parser.pendingLength);
  }
  t.true(most <= 16, `pending peaked at ${most}`);
});

test('the unterminated tail is emitted at the end of the stream', async (t) => {
  t.deepEqual(await tokensOf(['OK\r\nRING']), ['OK', 'RING']);
});

test('a maxLine too small for the prompt is a programming error, thrown at once', (t) => {
  t.throws(() => new AtLineParser(1), { instanceOf: RangeError });
  t.throws(() => new AtLineParser(Number.NaN), { instanceOf: RangeError });
});
