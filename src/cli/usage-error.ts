/** Bad command-line arguments: the CLI prints the message and exits with status 2, as usage errors do. */
export class UsageError extends Error {
  readonly exitCode = 2;
}
