/** The MongoDB Store (mongoose): several server processes share one replica set; tests run it on FerretDB 1.x. */
export { MongoStore, openMongoStore } from './store.ts';
