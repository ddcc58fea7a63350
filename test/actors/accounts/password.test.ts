import test from 'ava';
import {
  csrfTokenOf, decoyPasswordHash, hashPassword, newSessionToken, sessionTokenHash, verifyPassword,
} from '../../../actors/index.ts';

test('a password verifies against its own hash and no other password does', async (t) => {
  const stored = await hashPassword('пароль с пробелами');
  t.true(await verifyPassword('пароль с пробелами', stored));
  t.false(await verifyPassword('пароль с пробелами ', stored));
  t.false(await verifyPassword('', stored));
});

test('the same password hashes differently each time (a fresh salt) and names its scrypt parameters', async (t) => {
  const a = await hashPassword('hunter2hunter2');
  const b = await hashPassword('hunter2hunter2');
  t.not(a, b);
  t.regex(a, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
});

test('a malformed or foreign stored hash never verifies, and never throws', async (t) => {
  for (const bad of ['', 'scrypt', 'bcrypt$2b$10$abc', 'scrypt$x$8$1$AAAA$AAAA', 'scrypt$1048576$8$1$AAAA$' + 'A'.repeat(43), 'scrypt$32768$8$1$AAAA$short']) {
    t.false(await verifyPassword('anything', bad), bad);
  }
  t.false(await verifyPassword('', decoyPasswordHash));
  t.false(await verifyPassword('password', decoyPasswordHash));
});

test('session tokens are random; what is stored and the CSRF token are both one-way and distinct', (t) => {
  const token = newSessionToken();
  t.regex(token, /^[\w-]{43}$/);
  t.not(newSessionToken(), token);
  t.regex(sessionTokenHash(token), /^[0-9a-f]{64}$/);
  t.not(csrfTokenOf(token), sessionTokenHash(token));
  t.is(csrfTokenOf(token), csrfTokenOf(token));
  t.false(csrfTokenOf(token).includes(token));
});
