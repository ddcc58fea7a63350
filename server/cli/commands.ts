import { announcementCommands } from './announcements.ts';
import { balanceCommands } from './balance.ts';
import type { Command } from './command.ts';
import { farmCommands } from './farm.ts';
import { priceCommands } from './prices.ts';
import { ruleCommands } from './rules.ts';
import { settingCommands } from './settings.ts';
import { userCommands } from './users.ts';

/** Every command, in the order the usage text lists them. */
export const commands: readonly Command[] = [
  ...userCommands,
  ...balanceCommands,
  ...priceCommands,
  ...farmCommands,
  ...announcementCommands,
  ...settingCommands,
  ...ruleCommands,
];
