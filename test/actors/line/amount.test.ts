import test from 'ava';
import { balanceIn } from '../../../actors/index.ts';

const replies: [reply: string, kopecks: number | undefined][] = [
  ['Баланс: 123,45 р.', 12_345],
  ['Balance: 123.45 р.', 12_345],
  ['Ваш баланс -12.5 руб.', -1_250],
  ['Баланс: минус 50,00 р.', -5_000],
  ['Минус 50 р. Пополните счёт', -5_000],
  ['Balans:1 234.56r', 123_456],
  ['Баланс 1\u00a0234,5 ₽', 123_450],
  ['Osnovnoj balans: 55.00 r. do 25.11.2026', 5_500],
  ['25.11 баланс 300 руб', 30_000],
  ['На счете 15 р. Бонусы: 5', 1_500],
  ['Ваш тариф «Мой». 150,00 руб.', 15_000],
  ['Сервис временно недоступен', undefined],
  ['Звонок на 79261234567', undefined],
  ['', undefined],
];

test('the balance in operators\' USSD replies: comma or point, minus, thousands, and nothing where there is none', (t) => {
  for (const [reply, kopecks] of replies) t.is(balanceIn(reply), kopecks, reply);
});

test('any text gives a number or undefined, never a throw', (t) => {
  const alphabet = 'Баланс: -0123456789,. р руб minus\u00a0₽';
  for (let i = 0; i < 2_000; i++) {
    let s = '';
    for (let n = (i * 7) % 40; n > 0; n--) s += alphabet[(i * 31 + n * 17) % alphabet.length];
    const v = balanceIn(s);
    t.true(v === undefined || Number.isSafeInteger(v), s);
  }
});
