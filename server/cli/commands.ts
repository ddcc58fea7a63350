import { agentCommands } from './agents.ts';
import { announcementCommands } from './announcements.ts';
import { balanceCommands } from './balance.ts';
import type { Command } from './command.ts';
import { farmCommands } from './farm.ts';
import { migrateCommands } from './migrate.ts';
import { partnerCommands } from './partners.ts';
import { passwordCommands } from './passwords.ts';
import { priceCommands } from './prices.ts';
import { rentCommands } from './rent.ts';
import { ruleCommands } from './rules.ts';
import { settingCommands } from './settings.ts';
import { userCommands } from './users.ts';
import { ussdCommands } from './ussd.ts';

/** Every command, in the order the usage text lists them. */
export const commands: readonly Command[] = [
  ...userCommands,
  ...passwordCommands,
  ...partnerCommands,
  ...balanceCommands,
  ...priceCommands,
  ...rentCommands,
  ...farmCommands,
  ...announcementCommands,
  ...settingCommands,
  ...ussdCommands,
  ...ruleCommands,
  ...agentCommands,
  ...migrateCommands,
];
