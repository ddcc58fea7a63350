export { Inbox, type InboxOptions } from './inbox.ts';
