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
  /** Milliseconds since the epoch (relative `--expires-at`, the default month); Date.now by default. */
  now?: () => number;
}
