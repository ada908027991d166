import { ApiError } from './api-error.js';
import { header, type RequestContext } from './context.js';

/**
 * Reads and parses a JSON body within a byte limit. Content types other than JSON are refused
 * (415); a missing content type is accepted as JSON, as some HTTP clients omit it.
 */
export async function readJsonBody(ctx: RequestContext, maxBytes: number): Promise<unknown> {
  const type = header(ctx, 'content-type');
  if (type !== undefined && type !== '' && !/^application\/([a-z.+-]*\+)?json\b/i.test(type.trim())) {
    throw new ApiError('unsupported_content_type', { content_type: type.slice(0, 100) });
  }
  const declared = Number(header(ctx, 'content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(ctx, maxBytes);
  const text = await readText(ctx, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('invalid_json');
  }
}

function tooLarge(ctx: RequestContext, maxBytes: number): ApiError {
  // The rest of the body is not read: close the connection after answering so it is not parsed
  // as the next request.
  ctx.res.setHeader('connection', 'close');
  return new ApiError('body_too_large', { limit: maxBytes });
}

function readText(ctx: RequestContext, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const req = ctx.req;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        cleanup();
        req.resume();
        reject(tooLarge(ctx, maxBytes));
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
