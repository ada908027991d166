/**
 * The gateway's Redis connection: one standalone server (`redis.url`) or a Redis Cluster
 * (`redis.cluster_nodes`, ioredis Cluster). Every key the gateway writes for an organization
 * carries the organization's hash tag `{org_…}`, so each multi-key script runs in one slot.
 * @module
 */
import { Cluster, Command, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redactText } from './config/redact-url.js';
import type { Config } from './config/types.js';
import { oneWritePerTurn } from './redis-turn-writes.js';

/** A standalone client or a cluster client; the gateway uses only what both offer. */
export type RedisClient = Redis | Cluster;

/** Bounds that make a Redis outage a fast 503 instead of a hung request. */
const COMMAND_TIMEOUT_MS = 2000;
const CONNECT_WAIT_MS = 3000;

/**
 * Connects to Redis, waiting a bounded time for the first connection. A Redis that is down at
 * start does not keep the gateway from starting: the client keeps reconnecting in the
 * background, counter operations fail fast (no offline queue, a command timeout) and requests get
 * a retryable 503 until it is back, while /readyz reports it.
 */
export async function connectRedis(redis: NonNullable<Config['redis']>, log: Logger): Promise<RedisClient> {
  const nodeOptions = { commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 };
  const nodes = redis.cluster_nodes.map((n) => new URL(/^rediss?:\/\//.test(n) ? n : `redis://${n}`));
  // One server: the scripts of every request handled in one event-loop turn leave in one socket
  // write (redis-turn-writes.ts), instead of one write(2) each, the largest single item of the
  // Redis gateway's CPU profile. Not on a cluster, whose commands go to one connection per node.
  const client: RedisClient =
    nodes.length > 0
      ? new Cluster(
          nodes.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })),
          // Nodes learnt from the cluster (redirections, new masters) need the same credentials.
          { enableOfflineQueue: false, lazyConnect: true, redisOptions: { ...nodeOptions, ...credentials(nodes[0]!) } },
        )
      : new Redis(redis.url!, { ...nodeOptions, enableOfflineQueue: false, lazyConnect: true });
  if (client instanceof Redis) oneWritePerTurn(client);
  evalshaWithoutCopy(client);
  // ioredis reports every failed reconnect attempt: log the state changes only, and keep the
  // latest failure as the cause of the commands refused meanwhile.
  let connectionDown = false;
  let lastFailure: Error | undefined;
  const connectionFailed = (e: Error) => {
    lastFailure = connectionFailure(e);
    if (connectionDown) return;
    connectionDown = true;
    log.warn({ err: e.message }, 'redis connection lost; reconnecting');
  };
  client.on('error', connectionFailed);
  // A cluster's failed node (its slots cache could not be read from it).
  if (client instanceof Cluster) client.on('node error', (e: Error) => void (lastFailure = connectionFailure(e)));
  // A connection that closed without an error (the server went away): the cause until an attempt
  // to reconnect fails with a better one.
  client.on('close', () => void (lastFailure ??= new Error(`the connection to ${addressOf(client)} was closed`)));
  client.on('ready', () => {
    lastFailure = undefined;
    if (!connectionDown) return;
    connectionDown = false;
    log.info('redis connection restored');
  });
  refusalsCarryCause(client, () => lastFailure);
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, CONNECT_WAIT_MS, 'timeout').unref());
  const outcome = await Promise.race([client.connect().then(() => 'ready' as const, () => 'failed' as const), timeout]);
  if (outcome !== 'ready') {
    const where = redis.cluster_nodes.length > 0 ? { cluster_nodes: redis.cluster_nodes.map(redactText) } : { url: redactText(redis.url!) };
    log.error(where, 'redis is not reachable at start; requests that need it get 503 until it is');
  }
  return client;
}

/** ioredis's refusal of a command while it has no connection (a server, a cluster): it names no cause. */
const OFFLINE_REFUSAL = /isn't (writeable|ready) and enableOfflineQueue options? is false/;

/**
 * Makes every command the client refuses for want of a connection (ioredis's "Stream isn't
 * writeable and enableOfflineQueue options is false") carry the last failed connection attempt
 * (`connect ECONNREFUSED 127.0.0.1:6379`) as its `cause`, so that each place that logs or reports
 * the refusal — the request path's outage lines, the admin API's and console's, the background
 * jobs' — gives the reason Redis cannot be reached, not only that it cannot. Set where the refusal
 * is made (ioredis rejects the command before returning it), before anyone sees the error.
 */
function refusalsCarryCause(client: RedisClient, lastFailure: () => Error | undefined): void {
  type Send = (command: Command, ...rest: unknown[]) => unknown;
  const target = client as unknown as { sendCommand: Send };
  const send = target.sendCommand.bind(client) as Send;
  const wrapped = new WeakSet<Command>();
  target.sendCommand = (command, ...rest) => {
    // Connected, the client refuses nothing for want of a connection: the request path's
    // commands pass untouched (no closure, no WeakSet entry per command). A stream that ended
    // under a 'ready' client is the one refusal left without a cause, until the status changes.
    if (client.status === 'ready') return send(command, ...rest);
    // A cluster sends a redirected command again: its reject is wrapped once.
    if (!wrapped.has(command)) {
      wrapped.add(command);
      const reject = command.reject;
      command.reject = (err: Error) => {
        const cause = lastFailure();
        if (cause && err.cause === undefined && OFFLINE_REFUSAL.test(err.message)) Object.defineProperty(err, 'cause', { value: cause, writable: true, configurable: true });
        reject(err);
      };
    }
    return send(command, ...rest);
  };
}

/**
 * The client's `evalsha`, sending the arguments it was given as the command's own: ioredis's
 * command constructor copies them with `Array.prototype.flat()`, which costs about 5 µs for the
 * 30-odd arguments of a reserve call on node 20 (measured alone: 5.5 µs against 0.3 µs for a
 * `slice`), the largest item of the client's own work per request. The command is the same one
 * ioredis would build (name, arguments as strings, replies as UTF-8 strings) and goes through
 * the same `sendCommand`, so turn writes, timeouts, cluster routing and refusals are unchanged.
 * Left alone for a client with a key prefix or friendly error stacks, which the gateway's
 * clients do not use and which the constructor applies.
 */
function evalshaWithoutCopy(client: RedisClient): void {
  const options = client.options as { keyPrefix?: unknown; showFriendlyErrorStack?: unknown };
  if (options.keyPrefix || options.showFriendlyErrorStack) return;
  type Evalsha = (...args: unknown[]) => Promise<unknown>;
  const target = client as unknown as { evalsha: Evalsha; sendCommand: (command: Command) => Promise<unknown> };
  const evalsha = target.evalsha.bind(client) as Evalsha;
  target.evalsha = (...args: unknown[]) => {
    // A trailing callback: ioredis's own way (the gateway passes none).
    if (typeof args[args.length - 1] === 'function') return evalsha(...args);
    const command = new Command('evalsha', [], { replyEncoding: 'utf8' });
    command.args = args as Command['args'];
    command.stringifyArguments(); // what the constructor does to its copy (numbers to strings)
    return target.sendCommand(command);
  };
}

/** Where the client connects, as a cause may name it (never its credentials). */
function addressOf(client: RedisClient): string {
  if (client instanceof Cluster) return 'the Redis cluster';
  const { path, host, port } = client.options;
  return path ? `Redis at ${path}` : `Redis at ${host}:${port}`;
}

/**
 * What a failed connection attempt is remembered as: its name, message, code and stack only (a
 * refused AUTH carries its command, with the password as the argument), and for a cluster whose
 * every node failed, the last node's error, which says why.
 */
function connectionFailure(e: Error): Error {
  const node = (e as { lastNodeError?: unknown }).lastNodeError;
  const source = node instanceof Error ? node : e;
  const copy = new Error(source.message);
  copy.name = source.name;
  if (source.stack !== undefined) copy.stack = source.stack;
  const code = (source as NodeJS.ErrnoException).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

/**
 * A second connection for SUBSCRIBE that queues commands while disconnected (it sends nothing
 * else, so its SUBSCRIBE may wait until Redis answers, however long that takes). On a cluster,
 * PUBLISH reaches every node, so subscribing through any one of them hears every instance.
 */
export function subscriberOf(client: RedisClient): RedisClient {
  if (client instanceof Cluster) return client.duplicate(undefined, { enableOfflineQueue: true, redisOptions: { ...client.options.redisOptions, maxRetriesPerRequest: null } });
  return client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
}

/** The clients to SCAN for keys: the one server, or each master of a cluster. */
export function scanTargets(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

function credentials(u: URL): { username?: string; password?: string } {
  return { ...(u.username ? { username: decodeURIComponent(u.username) } : {}), ...(u.password ? { password: decodeURIComponent(u.password) } : {}) };
}

