/** Remote modem hosts: the server's /agents endpoint and RemoteChannel, and the agent that runs a host's modems. */
export { AgentHub, type AgentHubOptions } from './hub.ts';
export { RemoteChannel, AgentCallError, agentOffline, type AgentLink } from './remote-channel.ts';
export { RemoteFarm, type TakenSim } from './remote-farm.ts';
export { Agent, type AgentOptions } from './agent.ts';
export { startAgentFarm, type AgentFarm } from './farm.ts';
export { Outbox, type Waiting } from './outbox.ts';
export { agentsPath, agentNamePattern, agentTokenHash, newAgentToken } from './protocol.ts';
export { issueAgentToken, agentNameRule, type IssuedAgentToken } from './tokens.ts';
