import type { Command } from './command.ts';

/** The usage text: every command, or those of one group (`user`) or one command (`user add`). */
export function help(commands: readonly Command[], about?: string): string[] {
  const shown = about ? commands.filter((c) => c.name === about || c.name.split(' ')[0] === about || c.name.startsWith(`${about} `)) : commands;
  const lines = about
    ? []
    : [
        'getsms: the admin command line. It works on the server\'s data directory (DATA_DIR, default ./data),',
        'also while the server runs.',
        '',
      ];
  for (const c of shown) lines.push(`  getsms ${c.name} ${c.usage}`.trimEnd(), `      ${c.about}`);
  lines.push(
    '',
    'Money is in rubles: 49 or 49.50. --json prints JSON on stdout (money as "49.50", times in ISO 8601).',
    'Exit status: 0 done; 2 bad input, told in one sentence on stderr; 1 a ledger that does not add up, or a failure.',
  );
  if (!about) lines.push('getsms help <command> shows one command or group: getsms help balance');
  return lines;
}
