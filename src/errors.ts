/** Exit statuses: a contract with the scripts that gate a rollout on this tool. */
export const ExitCode = {
  clean: 0,
  drift: 1,
  usage: 2,
  couldNotCheck: 3,
} as const;

/** Bad options or configuration, found before any connection is made (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The check could not be completed: connection, authentication, schema, query or timeout (exit 3). */
export class CheckError extends Error {
  override name = 'CheckError';

  constructor(
    message: string,
    /** The server's error number when a statement failed on the server (1146 missing table, 1142 no privilege, ...). */
    readonly errno?: number,
  ) {
    super(message);
  }
}
