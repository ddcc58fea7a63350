export { SqliteStore } from './store.ts';
export { migrations, migrate } from './schema.ts';
