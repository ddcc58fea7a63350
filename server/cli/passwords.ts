import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../actors/index.ts';
import type { Command } from './command.ts';
import { accountJson } from './output.ts';
import { accountOf } from './words.ts';

export const passwordCommands: Command[] = [
  {
    name: 'user password',
    usage: '--email <e> [--json]',
    about: 'give an account a new web sign-in password and print it (the admin made on first start has none)',
    flags: { email: 'string', json: 'boolean' },
    async run(args, ctx) {
      const store = await ctx.store();
      const account = await accountOf(store, args.need('email'));
      // Made here rather than typed as a flag, so it never sits in a shell history or the process list.
      const password = randomBytes(12).toString('base64url');
      await store.setPasswordHash(account.id, await hashPassword(password));
      const ended = await store.endSessions(account.id); // a reset locks out whoever knew the old password
      if (args.on('json')) return ctx.json({ account: accountJson(account), password, sessionsEnded: ended });
      ctx.out(`new web password for ${account.email}: ${password}  (shown only now: getsms keeps only its scrypt hash)`);
      ctx.out(`${ended} open session${ended === 1 ? '' : 's'} ended`);
    },
  },
];
