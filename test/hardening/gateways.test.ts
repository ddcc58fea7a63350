import test from 'ava';
import fc from 'fast-check';
import { startTestSystem, type TestSystem } from '../helpers/system.ts';
import { runs, seed } from './runs.ts';
import { isHandlerApiAnswer, isSmsRegAnswer, leaksInternals, rawGet, rawPost, type WireAnswer } from './wire.ts';

/**
 * Both gateways under property-based fuzzing through real HTTP: random and mutated valid requests, as
 * query strings and as form bodies. Whatever comes in, the answer is HTTP 200 with one of the protocol's
 * words (or its JSON), never a 5xx, never a stack trace, never a hang; the server keeps serving.
 * A request target that is not HTTP at all is Node's parser's 400, the one other answer allowed.
 */

let sys: TestSystem;
let key: string;
let activation: number;
test.before(async () => {
  sys = await startTestSystem();
  ({ key } = await sys.account({ rubles: 100_000 }));
  activation = Number((await sys.api({ api_key: key, action: 'getNumber', service: 'vk', country: 'ru' })).split(':')[1]);
});
test.after.always(() => sys?.close());

const names = ['api_key', 'apikey', 'action', 'service', 'country', 'operator', 'id', 'status', 'forward', 'count', 'number', 'num',
  'tzid', 'opstate', 'output', 'ref', 'rent_time', 'page', 'size', 'phone', 'maxPrice', 'activationType'];
const actions = ['getBalance', 'getNumbersStatus', 'getPrices', 'getNumber', 'getRepeat', 'setStatus', 'getStatus', 'cleanblacklist',
  'getNumberBalance', 'getRentNumberSMS', 'getRentList', 'getRentOneDay', 'getNumberV2', 'getActiveActivations', 'getStatusV2',
  'getCountries', 'getOperators', 'getFullSms', 'getRentServicesAndCountries', 'getRentNumber', 'getRentStatus', 'setRentStatus',
  'continueRentNumber', 'getContinueRentPriceNumber', 'noSuchAction'];
const methods = ['getBalance', 'getNum', 'setReady', 'getState', 'setOperationOk', 'setOperationRevise', 'getNumRepeat',
  'setOperationUsed', 'getList', 'getOperations', 'setOperationOver', 'noSuchMethod'];
/** Values a client, a careless one or an attacker sends. */
const nasty = ['', ' ', 'null', 'undefined', '-1', '0', '1', '3', '6', '8', '10', '2147483647', '2147483648', '99999999999999999999',
  '1e3', '0x10', '1.5', "' OR 1=1 --", '" OR ""="', '; DROP TABLE accounts; --', '{"$ne":null}', '$where', '%00', '\u0000', '\ud800',
  'é', '😀', 'ВК', '../../etc/passwd', '<script>alert(1)</script>', '\r\nX-Injected: 1', 'a'.repeat(5000)];

function value(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...nasty),
    fc.constantFrom(...actions, ...methods, 'vk', 'tg', 'ru', 'kz', 'any'),
    fc.string({ maxLength: 40, unit: 'binary' }),
    fc.integer({ min: -5, max: 20 }).map(String),
  );
}

/** A parameter list: known and unknown names, brackets (`api_key[$ne]`), repeats, and a real key or activation id now and then. */
const paramList = fc.array(fc.tuple(
  fc.oneof(fc.constantFrom(...names), fc.constantFrom(...names).map((n) => `${n}[$ne]`), fc.constantFrom(...names).map((n) => ` ${n}[]`),
    fc.string({ maxLength: 12, unit: 'binary' })),
  fc.oneof(value(), fc.constant('__KEY__'), fc.constant('__ID__')),
), { maxLength: 8 });

function encoded(list: [string, string][]): string {
  return new URLSearchParams(list.map(([n, v]) => [n, v === '__KEY__' ? key : v === '__ID__' ? String(activation) : v])).toString();
}

/** A valid request with its bytes changed: a character dropped, doubled, replaced, or percent-mangled. */
const mutatedQuery = fc.tuple(
  fc.constantFrom(
    () => `api_key=${key}&action=getStatus&id=${activation}`,
    () => `api_key=${key}&action=getNumber&service=vk&country=ru`,
    () => `api_key=${key}&action=setStatus&id=${activation}&status=3`,
    () => `apikey=${key}&tzid=${activation}`,
    () => `apikey=${key}&service=vk&country=ru`,
  ),
  fc.array(fc.tuple(fc.nat(), fc.constantFrom('drop', 'double', '%', '%zz', '%C0%80', '&', '=', '[', ']', '+', '#', '%00')), { minLength: 1, maxLength: 3 }),
).map(([make, edits]) => {
  let q = make();
  for (const [at, how] of edits) {
    const i = at % (q.length + 1);
    q = how === 'drop' ? q.slice(0, i) + q.slice(i + 1) : how === 'double' ? q.slice(0, i) + q.slice(i, i + 1) + q.slice(i) : q.slice(0, i) + how + q.slice(i);
  }
  return q;
});

/** A query string: encoded parameters, a mutated valid request, or raw junk (escaped so it stays a valid request target). */
const query = fc.oneof(
  paramList.map(encoded),
  mutatedQuery,
  fc.string({ maxLength: 200, unit: 'binary' }).map((s) => encodeURI(s.replace(/[\ud800-\udfff]/g, '?'))),
);

function check(gateway: 'handler_api' | 'sms-reg', what: string, a: WireAnswer): boolean {
  if (a.status !== 200) throw new Error(`${what}: HTTP ${a.status}: ${a.body.slice(0, 200)}`);
  const ok = gateway === 'handler_api' ? isHandlerApiAnswer(a.body) : isSmsRegAnswer(a.body);
  if (!ok || leaksInternals(a.body)) throw new Error(`${what}: not a protocol answer: ${a.body.slice(0, 300)}`);
  return true;
}

test('handler_api: random and mutated query strings and form bodies always get HTTP 200 and a protocol word', async (t) => {
  const n = runs(400);
  let tried = 0;
  await fc.assert(fc.asyncProperty(query, fc.boolean(), async (q, asForm) => {
    tried++;
    const a = asForm ? await rawPost(sys.port, '/stubs/handler_api.php', q) : await rawGet(sys.port, `/stubs/handler_api.php?${q}`);
    return check('handler_api', q, a);
  }), { numRuns: n, seed: seed() });
  // The fuzz may have moved the activation (setStatus with its real id): any state's word will do.
  t.regex(await sys.api({ api_key: key, action: 'getStatus', id: activation }), /^(STATUS_|ACCESS_)/, 'the server still answers');
  t.log(`${tried} requests`);
});

test('sms-reg: random and mutated query strings and form bodies to every method always get HTTP 200 and its JSON', async (t) => {
  const n = runs(400);
  let tried = 0;
  await fc.assert(fc.asyncProperty(fc.constantFrom(...methods), query, fc.boolean(), async (method, q, asForm) => {
    tried++;
    const path = `/${method}.php`;
    const a = asForm ? await rawPost(sys.port, path, q) : await rawGet(sys.port, `${path}?${q}`);
    return check('sms-reg', `${path} ${q}`, a);
  }), { numRuns: n, seed: seed() });
  t.log(`${tried} requests`);
  t.pass();
});

test('raw request targets and bodies (any bytes, odd content types): a protocol answer, or Node\'s 400 for what is not HTTP', async (t) => {
  const n = runs(300);
  let tried = 0;
  let refused = 0;
  await fc.assert(fc.asyncProperty(
    fc.constantFrom('/stubs/handler_api.php', '/getNum.php', '/getState.php'),
    fc.uint8Array({ maxLength: 120 }),
    fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'multipart/form-data; boundary=x', 'text/plain', 'application/x-www-form-urlencoded; charset=koi8-r'),
    fc.boolean(),
    async (path, bytes, type, asTarget) => {
      tried++;
      const a = asTarget
        ? await rawGet(sys.port, Buffer.concat([Buffer.from(`${path}?`), Buffer.from(bytes)]))
        : await rawPost(sys.port, path, Buffer.from(bytes), type);
      if (a.status === 400 && asTarget) return ++refused > 0; // the request line is not HTTP: Node's parser says so
      return check(path === '/stubs/handler_api.php' ? 'handler_api' : 'sms-reg', `${path} ${Buffer.from(bytes).toString('hex')}`, a);
    },
  ), { numRuns: n, seed: seed() });
  t.log(`${tried} raw requests (${refused} not HTTP, refused by the parser with 400)`);
  t.pass();
});
