/** Schema options for every collection: no `__v`, no fields outside the schema, empty objects kept. */
export const plain = { versionKey: false, strict: true, minimize: false } as const;
