import type { LiveEvent, Role } from '../../actors/index.ts';

/**
 * What a live connection can listen to. `activations` (the default) is the
 * caller's own activations and rents; the rest are the farm as operators see it, and a
 * plain user asking for one is refused.
 */
export const topicNames = ['activations', 'activations.all', 'channels', 'sims', 'sms'] as const;
export type Topic = (typeof topicNames)[number];

const operatorOnly: Record<Topic, boolean> = {
  activations: false,
  'activations.all': true, // every account's activations: the admin's and operator's dashboard
  channels: true,
  sims: true,
  sms: true, // the raw SMS feed
};

const rank: Record<Role, number> = { user: 0, operator: 1, admin: 2 };

export type TopicChoice = { ok: true; topics: Set<Topic> } | { ok: false; status: 400 | 403; error: string };

/** A comma-separated topic list (`?topics=` or a subscribe message), checked against the caller's role. */
export function chooseTopics(words: readonly string[], role: Role): TopicChoice {
  const topics = new Set<Topic>();
  for (const raw of words) {
    const word = raw.trim();
    if (word === '') continue;
    if (!(topicNames as readonly string[]).includes(word)) {
      return { ok: false, status: 400, error: `unknown topic "${word.slice(0, 40)}"; topics are ${topicNames.join(', ')}` };
    }
    const topic = word as Topic;
    if (operatorOnly[topic] && rank[role] < rank.operator) {
      return { ok: false, status: 403, error: `the topic "${topic}" needs the operator role` };
    }
    topics.add(topic);
  }
  if (topics.size === 0) topics.add('activations');
  return { ok: true, topics };
}

/** Whether a connection of `accountId` listening to `topics` gets this event. */
export function wants(topics: ReadonlySet<Topic>, accountId: number, e: LiveEvent): boolean {
  switch (e.topic) {
    case 'activation':
    case 'rent': // a rent is the renter's own, as an activation is
      return topics.has('activations.all') || (topics.has('activations') && e.accountId === accountId);
    case 'channel':
      return topics.has('channels');
    case 'sim':
      return topics.has('sims');
    case 'sms':
      return topics.has('sms');
  }
}

/** True when the topics reach past the caller's own events (its replay reads the whole log, not its own slice). */
export function readsAll(topics: ReadonlySet<Topic>): boolean {
  for (const t of topics) if (t !== 'activations') return true;
  return false;
}

/** An event as clients receive it: its id, type and time, then its fields. */
export function wire(e: LiveEvent): string {
  return JSON.stringify({ id: e.id, type: e.type, at: new Date(e.at).toISOString(), accountId: e.accountId, ...e.data });
}
