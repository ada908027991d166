/**
 * `tollgate batch requests.jsonl -o results.jsonl`: the file, terminal and signal side of
 * `runBatch`. Node only (exported from `@tollgate/client/node`, not from the browser entry).
 *
 * Appends to the output file, one line per finished request, each written through before the next.
 * Lines that succeeded in an earlier run are skipped and every other line runs again (a rerun
 * first removes the earlier failures from the output, so each custom_id keeps one line). On a
 * terminal, a progress bar with rate, ETA (at the pacing rate when the pacer knows a limit) and
 * error counts is redrawn on stderr; otherwise a plain progress line is printed every few seconds.
 * The first Ctrl-C stops sending at once — requests waiting in the pacer or for a retry are not
 * sent (a rerun sends them) — lets the requests already sent finish and be saved, and prints the
 * summary; a second Ctrl-C quits at once.
 * The API key is read from the environment only (TOLLGATE_API_KEY or OPENAI_API_KEY), never
 * from the command line, where it would end up in shell history and process listings.
 * @module
 */
import { createReadStream, createWriteStream, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { LOCALES, type Locale } from '@tollgate/protocol';
import { Tollgate } from '../client.js';
import { apiBaseUrl, apiBaseUrlFromEnv } from '../core/gateway-url.js';
import type { FetchLike } from '../pacing/paced-fetch.js';
import { Pacer } from '../pacing/pacer.js';
import { outputOutcome } from './jsonl.js';
import { renderBar, renderLine, renderSummary } from './progress.js';
import { runBatch, type BatchProgress } from './run-batch.js';

export interface TextSink {
  write(s: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface BatchIO {
  stdout: TextSink;
  /** Progress and the summary go here. */
  stderr: TextSink;
  /** Environment to read the key and base URL from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Stops the run as Ctrl-C does. Without it, the command handles SIGINT itself. */
  signal?: AbortSignal;
  /** fetch for the client (tests). */
  fetch?: FetchLike;
  /** Ms between plain progress lines when stderr is not a terminal. Default 5000. */
  progressIntervalMs?: number;
}

export const BATCH_USAGE = `Usage: tollgate batch <requests.jsonl> -o <results.jsonl> [options]

Runs each line of an OpenAI Batch API input file against the API and appends one result line per
request to the output file. Running the same command again skips the lines that succeeded and
runs the others again, failed ones included (their old result lines are replaced).

Options:
  -o, --output <file>       output file (JSONL, appended to)              required
  -c, --concurrency <n>     requests in flight at once                    default 4
      --url <url>           the gateway's URL, with or without /v1 (as every tollgate verb takes it)
                            default $TOLLGATE_URL, else $OPENAI_BASE_URL
      --base-url <url>      the OpenAI base URL, used as given (the SDKs' baseURL)
      --rpm <n>             requests per minute to keep to (else learned from the server)
      --tpm <n>             tokens per minute to keep to (else learned from the server)
      --max-retries <n>     retries per request                           default 4
      --timeout <ms>        per-attempt timeout                           default 600000
      --locale <en|zh-CN>   language of error hints                       default en
  -h, --help                show this help

The API key is read from $TOLLGATE_API_KEY (or $OPENAI_API_KEY).
Ctrl-C stops sending at once (nothing waiting in the pacer is sent), saves the requests already
sent as they finish and prints the summary; press it again to quit at once.
`;

function positiveInt(name: string, v: string | undefined, dflt: number | undefined): number | undefined {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: expected a whole number, got '${v}'`);
  return n;
}

class UsageError extends Error {}

/** Non-empty lines of a file (for the ETA), read in chunks. */
async function countLines(path: string): Promise<number> {
  let n = 0;
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim() !== '') n++;
  return n;
}

/**
 * The custom_ids that succeeded in earlier runs. When the output also holds failures (or a line
 * cut off by a crash), it is rewritten with the successes only, through a temporary file renamed
 * over it: those lines run again and each custom_id ends with one result line.
 */
function resumeIdsOf(path: string): Set<string> {
  const ids = new Set<string>();
  if (!existsSync(path) || statSync(path).size === 0) return ids;
  const kept: string[] = [];
  let dropped = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const o = outputOutcome(line);
    if (o.succeeded && o.customId !== undefined) {
      ids.add(o.customId);
      kept.push(line);
    } else dropped++;
  }
  if (dropped > 0) {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, kept.map((l) => `${l}\n`).join(''));
    renameSync(tmp, path);
  }
  return ids;
}

/** Runs the command; resolves to the exit code (0 all succeeded, 1 some failed, 2 usage, 130 interrupted). */
export async function batchCommand(argv: string[], io: BatchIO): Promise<number> {
  const env = io.env ?? process.env;
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n\n${BATCH_USAGE}`);
    return 2;
  }
  if (args.values.help) {
    io.stdout.write(BATCH_USAGE);
    return 0;
  }
  let input: string, output: string, concurrency: number, maxRetries: number, timeout: number, rpm: number | undefined, tpm: number | undefined, locale: Locale;
  try {
    if (args.positionals.length !== 1) throw new UsageError('expected exactly one input file');
    input = args.positionals[0] as string;
    if (!args.values.output) throw new UsageError('missing -o <results.jsonl>');
    output = args.values.output;
    if (!existsSync(input)) throw new UsageError(`input file not found: ${input}`);
    concurrency = positiveInt('concurrency', args.values.concurrency, 4) as number;
    if (concurrency < 1) throw new UsageError('--concurrency: must be at least 1');
    maxRetries = positiveInt('max-retries', args.values['max-retries'], 4) as number;
    timeout = positiveInt('timeout', args.values.timeout, 600_000) as number;
    rpm = positiveInt('rpm', args.values.rpm, undefined);
    tpm = positiveInt('tpm', args.values.tpm, undefined);
    const loc = args.values.locale ?? 'en';
    if (!(LOCALES as readonly string[]).includes(loc)) throw new UsageError(`--locale: expected one of ${LOCALES.join(', ')}`);
    locale = loc as Locale;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`tollgate batch: ${e.message}\n\n${BATCH_USAGE}`);
    return 2;
  }
  const apiKey = env.TOLLGATE_API_KEY || env.OPENAI_API_KEY;
  if (!apiKey) {
    io.stderr.write('tollgate batch: set TOLLGATE_API_KEY (or OPENAI_API_KEY) to the API key to use.\n');
    return 2;
  }
  const url = args.values.url;
  const baseURL = args.values['base-url'] ?? (url !== undefined ? apiBaseUrl(url) : apiBaseUrlFromEnv(env));

  const pacer = new Pacer({ requestsPerMinute: rpm, tokensPerMinute: tpm });
  const client = new Tollgate({ apiKey, baseURL, maxRetries, timeout, locale, pacer, fetch: io.fetch });
  const total = await countLines(input);
  const resumeIds = resumeIdsOf(output);

  const out = createWriteStream(output, { flags: 'a' });
  const writeRaw = (s: string) => new Promise<void>((resolve, reject) => out.write(s, (err) => (err ? reject(err) : resolve())));

  const stop = new AbortController();
  const onSigint = () => {
    stop.abort();
    io.stderr.write(`${io.stderr.isTTY ? '\n' : ''}Interrupted: sending stopped; saving the requests already sent as they finish. Press Ctrl-C again to quit now.\n`);
  };
  const ownSignal = io.signal === undefined;
  if (ownSignal) process.once('SIGINT', onSigint);
  else io.signal?.addEventListener('abort', () => stop.abort(), { once: true });

  const tty = io.stderr.isTTY === true;
  const interval = tty ? 100 : (io.progressIntervalMs ?? 5000);
  let lastDraw = 0;
  const draw = (p: BatchProgress, force = false) => {
    const t = Date.now();
    if (!force && t - lastDraw < interval) return;
    lastDraw = t;
    if (tty) io.stderr.write(`\r\x1b[2K${renderBar(p, total, io.stderr.columns ?? 80)}`);
    else io.stderr.write(`${renderLine(p, total)}\n`);
  };

  const rl = createInterface({ input: createReadStream(input), crlfDelay: Infinity });
  try {
    const summary = await runBatch({
      client,
      input: rl,
      output: { write: (line) => writeRaw(`${line}\n`) },
      concurrency,
      pacer,
      resumeIds,
      signal: stop.signal,
      onProgress: (p) => draw(p),
    });
    if (tty) {
      draw(summary, true);
      io.stderr.write('\n');
    }
    io.stderr.write(`${renderSummary(summary)}\n`);
    return summary.aborted ? 130 : summary.failed > 0 ? 1 : 0;
  } finally {
    rl.close();
    if (ownSignal) process.removeListener('SIGINT', onSigint);
    await new Promise<void>((resolve) => out.end(resolve));
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      output: { type: 'string', short: 'o' },
      concurrency: { type: 'string', short: 'c' },
      url: { type: 'string' },
      'base-url': { type: 'string' },
      rpm: { type: 'string' },
      tpm: { type: 'string' },
      'max-retries': { type: 'string' },
      timeout: { type: 'string' },
      locale: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
