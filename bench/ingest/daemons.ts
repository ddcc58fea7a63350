import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemon } from './processes.ts';

/** A daemon reading one simulator channel, and the folder where each SMS it receives appears as a file. */
export interface Reader { proc: ChildProcess; inbox: string }

/**
 * gammu-smsd (files backend) at its fastest polling: ReceiveFrequency=1 (the shipped default is 15 s) and
 * LoopSleep=1, no status or battery checks; its spool and log under `dir`.
 */
export function gammuSmsd(dir: string, device: string, log: string[]): Reader {
  const spool = Object.fromEntries(['inbox', 'outbox', 'sent', 'error'].map((d) => [d, join(dir, d) + '/']));
  for (const d of Object.values(spool)) mkdirSync(d, { recursive: true });
  const config = join(dir, 'smsdrc');
  writeFileSync(config, [
    '[gammu]', `device = ${device}`, 'connection = at',
    '[smsd]', 'service = files', `inboxpath = ${spool.inbox}`, `outboxpath = ${spool.outbox}`,
    `sentsmspath = ${spool.sent}`, `errorsmspath = ${spool.error}`, 'inboxformat = unicode',
    'receivefrequency = 1', 'loopsleep = 1', 'statusfrequency = 0', 'checkbattery = 0',
    `logfile = ${join(dir, 'gammu-smsd.log')}`, 'debuglevel = 1', '',
  ].join('\n'));
  return { proc: daemon('gammu-smsd', ['-c', config], log), inbox: spool.inbox! };
}

/**
 * smstools' smsd at its shipped defaults (delaytime 10 s, its own PIN, memory and network checks, 115200 baud),
 * with only what receiving needs set: the modem's device, `incoming = yes` (default no) and the spool, log, info
 * and pid paths under `dir`. `delaytime` overrides that one setting and nothing else.
 */
export function smsd(dir: string, device: string, log: string[], delaytime?: number): Reader {
  const spool = Object.fromEntries(['incoming', 'outgoing', 'checked', 'failed', 'sent'].map((d) => [d, join(dir, d)]));
  for (const d of Object.values(spool)) mkdirSync(d, { recursive: true });
  const config = join(dir, 'smsd.conf');
  writeFileSync(config, [
    'devices = GSM1', ...Object.entries(spool).map(([k, v]) => `${k} = ${v}`),
    `logfile = ${join(dir, 'smsd.log')}`, `infofile = ${join(dir, 'smsd.working')}`, `pidfile = ${join(dir, 'smsd.pid')}`,
    ...(delaytime === undefined ? [] : [`delaytime = ${delaytime}`]), '',
    '[GSM1]', `device = ${device}`, 'incoming = yes', '',
  ].join('\n'));
  return { proc: daemon('smsd', ['-t', '-c', config], log), inbox: spool.incoming! };
}

/** smsd's shipped `delaytime`, in seconds (smstools3 configure.html: "Default value: 10"). */
export const smsdDefaultDelaytime = 10;
