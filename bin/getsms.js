#!/usr/bin/env node
// `npx getsms …`: the admin command line. The commands are TypeScript, so tsx's
// loader goes in first; its tsconfig is named so a run from another directory
// still compiles with ours.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../server/cli/main.ts');
