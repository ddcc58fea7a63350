import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { startSystem, type System } from './system.ts';

/** `npm start`: the whole system on the configured (by default embedded) store and farm. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`getsms: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel });
  let system: System;
  try {
    system = await startSystem(config, log);
  } catch (err) {
    console.error(`getsms: cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
  banner(system, config.mongodbUri ? 'MongoDB (MONGODB_URI)' : config.dataDir); // the URI may carry a password: never printed
  log.info({ url: system.url, restored: system.restored, store: system.store.kind, farm: system.farm.kind, ...system.farm.census }, 'getsms is up');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await system.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function banner(system: System, dataDir: string) {
  const lines = [`getsms is listening on ${system.url} (data in ${dataDir})`];
  if (system.tlsPort) lines.push(`                  and https on port ${system.tlsPort}`);
  if (system.created) {
    const { admin, demo } = system.created;
    lines.push(
      '',
      'First start: two accounts were made. Their API keys are shown only now:',
      `  admin  ${admin.account.email}  api_key=${admin.apiKey}`,
      `  demo   ${demo.account.email}  api_key=${demo.apiKey}  balance 1000.00`,
      '',
      'Buy a Telegram number in Russia with the demo key:',
      `  curl '${system.url}/stubs/handler_api.php?api_key=${demo.apiKey}&action=getNumber&service=tg&country=ru'`,
      '',
      `The web application is at ${system.url}/ (sign up there). A web password for the admin:`,
      `  npx getsms user password --email ${admin.account.email}`,
    );
  }
  if (system.farm.fellBack) lines.push('', `Warning: ${system.farm.fellBack}.`);
  lines.push('', `Ready. ${farmLine(system.farm)}`, 'Ctrl+C stops getsms; everything live resumes on the next start.');
  console.log(lines.join('\n'));
}

/** How much of the farm is up, in one sentence. */
function farmLine({ kind, census }: System['farm']): string {
  if (kind === 'none') return 'No modems in this process (SIMULATOR=none): it sells the SIMs other processes and agents bring.';
  if (kind === 'serial' || !census) return 'The modems of MODEM_PORTS come up on their own; GET /api/channels shows them.';
  const sims = `${census.sims} SIM${census.sims === 1 ? '' : 's'}`;
  if (kind === 'memory') return `${sims} online in ${census.channels} simulated modems (in memory).`;
  return `${census.ready} of ${census.channels} simulated modems online on pseudo-terminals with ${sims} (${census.active} in active slots).`;
}

void main();
