/**
 * Running the gateway's Lua scripts: by SHA-1 (EVALSHA, one round trip without the script's
 * text), sending the text (EVAL, which also caches it) only when the server answers NOSCRIPT
 * (a restarted or failed-over Redis), every call bounded in time.
 * @module
 */
import { createHash } from 'node:crypto';
import { ReplyError } from 'ioredis';
import type { RedisClient } from './redis-client.js';

/** A Lua script and its SHA-1, computed once when the module loads. */
export interface LuaScript {
  text: string;
  sha: string;
}

export const luaScript = (text: string): LuaScript => ({ text, sha: createHash('sha1').update(text).digest('hex') });

/** An error Redis answered with (as opposed to a lost connection or a timeout). */
export const isReplyError = (err: unknown): err is Error => err instanceof (ReplyError as new () => Error);

/**
 * Runs `script` on `keys` with `args`, each command bounded by `bounded` (see `withinMs`); a
 * Redis that does not know the script gets its text once.
 */
export async function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
  bounded: <T>(p: Promise<T>) => Promise<T>,
): Promise<unknown> {
  try {
    return await bounded(client.evalsha(script.sha, keys.length, ...keys, ...args));
  } catch (err) {
    if (!isReplyError(err) || !err.message.startsWith('NOSCRIPT')) throw err;
    return await bounded(client.eval(script.text, keys.length, ...keys, ...args));
  }
}

/**
 * `p`, or the rejection `timedOut()` makes after `ms` even if the client would keep the command
 * queued for longer. A bound that is not a positive finite number leaves `p` unbounded.
 */
export function withinMs<T>(p: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  if (!(ms > 0 && Number.isFinite(ms))) return p;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut()), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
