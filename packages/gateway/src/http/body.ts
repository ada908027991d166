import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../errors/api-error.js';
import { header, type RequestContext } from './context.js';

/**
 * The default request body limit (`server.max_body_bytes`): 72 MiB. OpenAI accepts up to 50 MB
 * of image bytes in one request (at most 20 MB per image, 500 images); sent inline as base64 data
 * URLs that is 66.7 MB of JSON string, and the rest leaves room for the messages around them.
 */
export const DEFAULT_MAX_BODY_BYTES = 72 * 1024 * 1024;

/**
 * How much of an oversized body is read and thrown away before the 413 is sent. An HTTP client
 * (the official SDKs' included) reads the answer only once it has sent the whole body; answering
 * early and closing the connection makes it fail with a broken pipe and retry the upload as a
 * connection error. Past this bound the gateway stops reading and closes the connection.
 */
export const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Reads and parses a JSON body within a byte limit. Content types other than JSON are refused
 * (415); a missing content type is accepted as JSON, as some HTTP clients omit it.
 */
export async function readJsonBody(ctx: RequestContext, maxBytes: number): Promise<unknown> {
  return (await readJson(ctx, maxBytes)).value;
}

/** `readJsonBody`, with the bytes it was parsed from. */
export async function readJson(ctx: RequestContext, maxBytes: number): Promise<{ value: unknown; bytes: Buffer }> {
  const type = header(ctx, 'content-type');
  if (type !== undefined && type !== '' && !/^application\/([a-z.+-]*\+)?json\b/i.test(type.trim())) {
    throw new ApiError('unsupported_content_type', { content_type: type.slice(0, 100) });
  }
  const bytes = await readBodyWithin(ctx.req, maxBytes);
  try {
    return { value: JSON.parse(bytes.toString('utf8')), bytes };
  } catch {
    throw new ApiError('invalid_json');
  }
}

/** Bodies up to this size are fingerprinted whole; of a larger one, this much of its start and of its end. */
const PRINT_WHOLE_BYTES = 64 * 1024;

/**
 * A fingerprint of a request body: the same for the same bytes (a request sent again unchanged,
 * as SDKs and retry loops do), almost surely different for different ones. Not a security
 * measure: a large body's middle is not read, so that the cost stays bounded.
 */
export function bodyPrint(bytes: Buffer): string {
  const h = createHash('sha1');
  if (bytes.length <= PRINT_WHOLE_BYTES) h.update(bytes);
  else h.update(bytes.subarray(0, PRINT_WHOLE_BYTES / 2)).update(bytes.subarray(bytes.length - PRINT_WHOLE_BYTES / 2)).update(String(bytes.length));
  return h.digest('base64url');
}

/**
 * The whole body, or a 413 `body_too_large` once it is known to exceed `maxBytes` (from its
 * declared length or while reading). The rest of an oversized body is read and discarded first
 * (up to DISCARD_LIMIT_BYTES) so that the client reads the 413 and the connection stays usable.
 */
export function readBodyWithin(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) return refuse(req, maxBytes, declared - maxBytes);
  // Usually a small body has arrived with the headers and sits in the stream's buffer by the time
  // a handler asks: take it at once, without the four listeners below and without waiting for
  // 'end' (their adding and removing was a visible share of the request path's CPU). The parser
  // never buffers more than the declared length for one request; resume() lets the stream end
  // and node:http finish with it as it does after the listeners.
  const buffered = req.readableLength;
  if (!req.readableFlowing && buffered <= maxBytes && (req.complete || (declared >= 0 && buffered >= declared))) {
    const all = buffered === 0 ? null : (req.read(buffered) as Buffer | null);
    req.resume();
    return Promise.resolve(all ?? Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        cleanup();
        refuse(req, maxBytes, 0).catch(reject);
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the client closed the connection before sending the whole body'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Discards what is left of an oversized body (`knownExcess` bytes at least), then rejects with the 413. */
async function refuse(req: IncomingMessage, maxBytes: number, knownExcess: number): Promise<never> {
  const drained = knownExcess <= DISCARD_LIMIT_BYTES && (await discard(req, DISCARD_LIMIT_BYTES));
  // Not drained: the unread rest would be parsed as the next request, so the connection closes.
  throw new ApiError('body_too_large', { limit: maxBytes }, drained ? {} : { headers: { connection: 'close' } });
}

/** Reads and drops the rest of the body; true once it ended, false past `bound` bytes or if the client left. */
function discard(req: IncomingMessage, bound: number): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    let size = 0;
    const done = (ended: boolean) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      if (!ended) req.pause();
      resolve(ended);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > bound) done(false);
    };
    const onEnd = () => done(true);
    const onGone = () => done(false);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
    req.resume();
  });
}
