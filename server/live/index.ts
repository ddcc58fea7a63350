/** The live channel: WebSocket at /ws, the durable event log behind it, and its fan-out. */
export { LiveChannel, livePath, type LiveOptions } from './channel.ts';
/** Who a connection belongs to: API keys now, browser sessions later. */
export { apiKeyAuthenticator, type Authenticator, type Session } from './auth.ts';
/** Registry news written into the event log, announced to local listeners (webhooks). */
export { Journal, activationEvents, rentEvents } from './journal.ts';
/** The farm's news (channel pictures, SIM changes, the raw SMS feed) written for the operators' topics. */
export { FarmJournal } from './farm.ts';
/** The close codes a live client may see. */
export { closeCodes } from './subscriber.ts';
/** Topic names and who may listen to them. */
export { topicNames, type Topic } from './topics.ts';
