/**
 * What the Requests page looks up for what a person pastes: the id itself, the id with quotes or
 * spaces around it, the header line `curl -i` prints, a JSON field, a log line; and nothing (a
 * message instead of a lookup) for text with no id or with an id a URL would resolve away.
 */
import { describe, expect, it } from 'vitest';
import { extractRequestId } from '../src/pages/requests/request-id.js';

const ID = 'req_132e586e239d1a07817398f976750115';

describe('the request id in pasted text', () => {
  it('takes the id as it is, or from around quotes and spaces', () => {
    for (const pasted of [ID, ` ${ID} `, `\t${ID}\n`, `"${ID}"`, `'${ID}'`, `“${ID}”`, `\`${ID}\``, `<${ID}>`, `${ID},`, `${ID}.`]) {
      expect(extractRequestId(pasted), pasted).toBe(ID);
    }
  });

  it('takes the value of an x-request-id header line, as curl -i and browsers print it', () => {
    for (const pasted of [`x-request-id: ${ID}`, `X-Request-Id: ${ID}\r`, `  x-request-id:${ID}  `, `< x-request-id: ${ID}`, `"x-request-id": "${ID}",`, `{"x-request-id":"${ID}"}`, `x-request-id=${ID}`]) {
      expect(extractRequestId(pasted), pasted).toBe(ID);
    }
    // Lines of a response's headers: the header names the id, not the upstream's own.
    expect(extractRequestId(`HTTP/1.1 429 Too Many Requests\ncontent-type: application/json\nx-request-id: ${ID}\nx-upstream-id: req_other`)).toBe(ID);
  });

  it('finds the one gateway id in a longer line', () => {
    expect(extractRequestId(`request ${ID} failed at 12:00`)).toBe(ID);
    expect(extractRequestId(`Request ID: ${ID}`)).toBe(ID);
  });

  it('finds nothing where there is no id, or more than one, or one a URL would resolve', () => {
    for (const pasted of ['', '   ', '""', 'no id in here', `${ID} req_0123`, '..', '.', 'a/b', 'req_…', 'x-request-id:']) {
      expect(extractRequestId(pasted), pasted).toBeUndefined();
    }
  });

  it('leaves an id of another shape to the lookup, which names it when it finds nothing', () => {
    expect(extractRequestId('garbage')).toBe('garbage');
    expect(extractRequestId('chatcmpl-abc_123')).toBe('chatcmpl-abc_123');
  });
});
