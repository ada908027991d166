/**
 * What a CLI command reads and writes, injected so that tests capture the output and supply the
 * environment, the network and the time.
 */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  /** stderr is a terminal: `serve` may show first-start keys there (never on stdout, the log stream). */
  terminal?: boolean;
  /** The HTTP client of the verbs that call a running gateway; the global fetch by default. */
  fetch?: typeof fetch;
  /**
   * Reads a secret the user types (a password): from the terminal without echo, or the first line
   * of piped stdin. Never from argv, which other users can see in the process list.
   */
  readSecret?: (prompt: string) => Promise<string>;
  /** Milliseconds since the epoch (relative `--expires-at`, the default month); Date.now by default. */
  now?: () => number;
}
