import { basename, resolve } from 'node:path';
import { pino } from 'pino';
import { Agent, agentNamePattern, agentNameRule, issueAgentToken, startAgentFarm, type AgentFarm } from '../agents/index.ts';
import { AtChannel, loadPortConfig, portSpec, type PortOptions } from '../../modems/index.ts';
import { CliError, type Args, type Command } from './command.ts';
import { table } from './output.ts';
import { when } from './words.ts';

const name = (args: Args) => {
  const n = args.positional('name');
  if (!agentNamePattern.test(n)) throw new CliError('CLI_BAD_INPUT', agentNameRule);
  return n;
};

/** A whole number flag (or its environment variable) within bounds. */
function count(args: Args, flag: string, env: string | undefined, fallback: number, min: number, max: number): number {
  const raw = args.text(flag) ?? env ?? String(fallback);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError('CLI_BAD_INPUT', `--${flag} must be a whole number from ${min} to ${max}`);
  return n;
}

export const agentCommands: Command[] = [
  {
    name: 'agent token create',
    usage: '<name>',
    about: "a token for the remote modem host <name>, printed once (the server keeps only its SHA-256)",
    flags: {},
    positionals: ['name'],
    async run(args, ctx) {
      const agent = name(args);
      const made = await issueAgentToken(await ctx.store(), agent, ctx.clock.now());
      if (!made.ok && made.code === 'badName') throw new CliError('CLI_BAD_INPUT', agentNameRule);
      if (!made.ok) throw new CliError('CLI_REFUSED', `agent ${agent} already has a token: getsms agent token revoke ${agent} first`);
      const { token } = made;
      ctx.out(`agent ${agent}: token ${token}`);
      ctx.out(`run on the host:  AGENT_TOKEN=${token} npx getsms agent --server <this server's URL> [ports…]`);
    },
  },
  {
    name: 'agent token revoke',
    usage: '<name>',
    about: 'the token stops working: the agent is refused at its next connect',
    flags: {},
    positionals: ['name'],
    async run(args, ctx) {
      const agent = name(args);
      if (!(await (await ctx.store()).revokeAgentToken(agent, ctx.clock.now()))) {
        throw new CliError('CLI_BAD_INPUT', `agent ${agent} has no working token`);
      }
      ctx.out(`agent ${agent}: token revoked`);
    },
  },
  {
    name: 'agent token list',
    usage: '[--json]',
    about: 'every agent token: name, made, revoked',
    flags: { json: 'boolean' },
    readsOnly: true,
    async run(args, ctx) {
      const tokens = await (await ctx.store()).agentTokens();
      if (args.on('json')) {
        return ctx.json(tokens.map((t) => ({
          name: t.name, createdAt: new Date(t.createdAt).toISOString(), revokedAt: t.revokedAt === null ? null : new Date(t.revokedAt).toISOString(),
        })));
      }
      if (tokens.length === 0) return ctx.out('no agent tokens: getsms agent token create <name> makes one');
      const rows = tokens.map((t) => [t.name, when(t.createdAt), t.revokedAt === null ? 'works' : `revoked ${when(t.revokedAt)}`]);
      for (const line of table(['name', 'made', 'state'], rows)) ctx.out(line);
    },
  },
  {
    name: 'agent',
    usage: '--server <url> [--token <token>] [--data <dir>] [port…]   (no ports: a simulated farm: [--sim-modems 2] [--sim-slots 1] [--first-sim 1000] [--control-port 0])',
    about: "run this host's modems for a central getsms server (token also from AGENT_TOKEN; SMS wait in --data, default ./agent-data, until the server stored them)",
    flags: {
      server: 'string', token: 'string', data: 'string', 'sim-modems': 'string', 'sim-slots': 'string', 'first-sim': 'string', 'control-port': 'string',
    },
    positionals: ['ports...?'],
    async run(args, ctx) {
      const ports = (args.positionals.ports ?? '').split(/[\s,]+/).filter((p) => p !== '');
      if (ports[0] === 'token') throw new CliError('CLI_USAGE', 'agent token needs one of: create, revoke, list');
      const server = args.text('server') ?? process.env.AGENT_SERVER;
      if (!server || !/^https?:\/\/\S+$/.test(server)) throw new CliError('CLI_USAGE', 'agent needs --server <url> (http:// or https://)');
      const token = args.text('token') ?? process.env.AGENT_TOKEN;
      if (!token) throw new CliError('CLI_USAGE', 'agent needs --token <token> (or AGENT_TOKEN)');
      const log = pino({ level: process.env.LOG_LEVEL?.trim() || 'info' });
      let farm: AgentFarm | undefined;
      let channels: AgentFarm['channels'];
      if (ports.length > 0) {
        const options = process.env.MODEM_CONFIG ? loadPortConfig(process.env.MODEM_CONFIG) : new Map<string, PortOptions>();
        channels = ports.map((entry) => {
          const spec = portSpec(entry);
          if (!spec) throw new CliError('CLI_BAD_INPUT', `"${entry}" is not a serial device path or path@baud (e.g. /dev/ttyUSB0@115200)`);
          const o = options.get(spec.path);
          // The device's own name (ttyUSB0): the server shows it as <agent>/ttyUSB0.
          return { channel: new AtChannel({ ...spec, ...o, id: basename(spec.path) }), slots: o?.slots ?? 1 };
        });
      } else {
        farm = await startAgentFarm({
          modems: count(args, 'sim-modems', process.env.SIM_MODEMS, 2, 1, 256),
          slots: count(args, 'sim-slots', process.env.SIM_SLOTS, 1, 1, 16),
          firstSim: count(args, 'first-sim', undefined, 1000, 0, 999_999),
          controlPort: count(args, 'control-port', undefined, 0, 0, 65535),
        });
        channels = farm.channels;
        ctx.out(`control ${farm.control}`);
      }
      const dataDir = resolve(args.text('data') ?? process.env.AGENT_DATA_DIR ?? './agent-data');
      let refused: ((reason: string) => void) | undefined;
      const agent = new Agent({
        server, token, dataDir, channels, log, onRefused: (reason) => refused?.(reason), ...(farm ? { simulator: farm.simulate } : {}),
      });
      try {
        await new Promise<void>((done, fail) => {
          refused = (reason) => fail(new CliError('CLI_REFUSED', `the server refused this agent (${reason})`));
          const stop = () => done();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          void agent.start().then(
            () => ctx.out(`agent: ${channels.length} channel(s) (${channels.map((c) => c.channel.id).join(', ')}) for ${server}; SMS wait in ${dataDir}`),
            fail,
          );
        });
      } finally {
        await agent.stop();
        await farm?.stop();
      }
    },
  },
];
