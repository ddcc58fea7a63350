/** Why a copy did not start or did not finish; the CLI turns each code into an exit status. */
export type CopyErrorCode =
  | 'COPY_NO_SOURCE' // no data directory, or no getsms database in it
  | 'COPY_SOURCE_IN_USE' // a server seems to hold the database
  | 'COPY_SCHEMA' // the database is of another getsms version
  | 'COPY_NO_TARGET' // MongoDB cannot be reached, or the URI is not one
  | 'COPY_TARGET_NOT_EMPTY' // the target database holds getsms data already
  | 'COPY_SOURCE_CHANGED'; // someone wrote to the source while it was copied

export class CopyError extends Error {
  constructor(
    readonly code: CopyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CopyError';
  }
}
