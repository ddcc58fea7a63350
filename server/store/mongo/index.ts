/** The MongoDB Store (mongoose): several server processes share one replica set; tests run it on FerretDB 1.x. */
export { MongoStore, openMongoStore } from './store.ts';
/** The collections on a connection, for tools that write documents exactly as the adapter does (getsms migrate). */
export { models, type Models } from './models.ts';
/** The `_id`s of a SIM's claims: an activation's hold, its use for a service, a rent's hold. */
export { holdId, useId, rentHoldId } from './allocation.ts';
