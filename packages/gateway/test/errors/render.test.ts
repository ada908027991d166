import { CATALOG } from '@tollgate/protocol';
import { describe, expect, it } from 'vitest';
import { ApiError, errorResponse, streamErrorFrame, streamFormatOf } from 'tollgate';

const URL = 'https://gw.example';

describe('rendering an ApiError', () => {
  it('x-should-retry: false comes from the entry, on every entry that is not retryable and no other', () => {
    for (const e of CATALOG) {
      const r = errorResponse(new ApiError(e.id, {}, { headers: { 'x-ratelimit-limit-requests': '3' } }), URL);
      expect(r.status, e.id).toBe(e.status);
      expect(r.headers, e.id).toEqual(e.retryable ? { 'x-ratelimit-limit-requests': '3' } : { 'x-ratelimit-limit-requests': '3', 'x-should-retry': 'false' });
    }
  });

  it('as an HTTP response: status, headers and the catalog body', () => {
    const r = errorResponse(new ApiError('model_not_found', { model: 'gpt-9' }, { param: 'model' }), URL);
    expect(r).toEqual({
      status: 404,
      headers: { 'x-should-retry': 'false' },
      body: { error: { message: 'The model `gpt-9` does not exist or you do not have access to it.', type: 'invalid_request_error', param: 'model', code: 'model_not_found' } },
    });
  });

  it('as the frame that ends a chat stream', () => {
    expect(streamErrorFrame(new ApiError('server_error'), URL)).toBe(
      'data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}\n\n',
    );
  });

  it("as a Responses stream's error event, flat and nested, code falling back to the type, numbered when asked", () => {
    const e = new ApiError('server_error');
    const message = 'The server had an error while processing your request. Sorry about that!';
    const data = `{"type":"error","code":"server_error","message":"${message}","param":null,"error":{"type":"server_error","code":"server_error","message":"${message}","param":null}`;
    expect(streamErrorFrame(e, URL, 'responses')).toBe(`event: error\ndata: ${data}}\n\n`);
    expect(streamErrorFrame(e, URL, 'responses', 7)).toBe(`event: error\ndata: ${data},"sequence_number":7}\n\n`);
  });

  it('in the format of the stream the path gets: Responses for POST /v1/responses only', () => {
    expect(streamFormatOf('/v1/responses')).toBe('responses');
    expect(streamFormatOf('/v1/chat/completions')).toBe('chat');
    expect(streamFormatOf('/v1/completions')).toBe('chat');
  });
});
