import test from 'ava';
import { Params } from '../../../server/gateways/index.ts';

test('query and form body merge, the body winning, names trimmed', (t) => {
  const p = Params.from({ action: 'getStatus', id: '1' }, { id: '2', 'country ': 'ru' });
  t.is(p.get('action'), 'getStatus');
  t.is(p.get('id'), '2');
  t.is(p.get('country'), 'ru');
});

test('"", "undefined" and "null" count as absent', (t) => {
  const p = Params.from({ a: '', b: 'undefined', c: 'null', d: ' x ' });
  t.is(p.get('a'), undefined);
  t.is(p.get('b'), undefined);
  t.is(p.get('c'), undefined);
  t.is(p.get('d'), 'x');
});

test('nested, bracketed or repeated parameters are tainted, never values', (t) => {
  const p = Params.from({ 'api_key[$ne]': 'x', id: ['1', '2'], ok: 'yes' }, { service: { $gt: '' } });
  t.true(p.tainted('api_key'));
  t.is(p.get('api_key'), undefined);
  t.true(p.tainted('id'));
  t.is(p.get('id'), undefined);
  t.true(p.tainted('service'));
  t.false(p.tainted('ok'));
  t.is(Params.from({ api_key: 'k' }, { 'api_key[]': 'k' }).get('api_key'), undefined);
});

test('ids are positive integers that fit a signed 32-bit int', (t) => {
  t.is(Params.from({ id: '2147483647' }).id('id'), 2147483647);
  t.is(Params.from({ id: '2147483648' }).id('id'), undefined);
  t.is(Params.from({ id: '-1' }).id('id'), undefined);
  t.is(Params.from({ id: '1e3' }).id('id'), undefined);
  t.is(Params.from({ id: '12abc' }).id('id'), undefined);
});

test('a raw query string is decoded as URLSearchParams does; a repeated name is tainted; the body still wins', (t) => {
  const p = Params.fromQuery('action=getStatus&id=1&text=a+b%20c&api_key=k&api_key=k2&service=tg', { service: 'wa' });
  t.is(p.get('action'), 'getStatus');
  t.is(p.get('text'), 'a b c');
  t.true(p.tainted('api_key'));
  t.is(p.get('api_key'), undefined);
  t.is(p.get('service'), 'wa');
  t.is(Params.fromQuery('').get('x'), undefined);
  t.true(Params.fromQuery('api_key%5B%24ne%5D=x').tainted('api_key'));
});
