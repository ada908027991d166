import { describe, expect, it } from 'vitest';
import { READ_SCOPES, SCOPES, requiredScope } from '../../src/identity/index.js';
import { effectiveScopes, grants } from '../../src/identity/scopes.js';

describe('scope table', () => {
  it.each([
    ['GET', '/v1/models', 'api.model.read'],
    ['HEAD', '/v1/models', 'api.model.read'],
    ['GET', '/v1/models/sim-small', 'api.model.read'],
    ['POST', '/v1/chat/completions', 'model.request'],
    ['POST', '/v1/chat/completions/', 'model.request'],
    ['POST', '/v1/completions', 'model.request'],
    ['POST', '/v1/embeddings', 'model.request'],
    ['POST', '/v1/responses', 'api.responses.write'],
    ['GET', '/v1/responses/resp_1', 'api.responses.read'],
    ['DELETE', '/v1/responses/resp_1', 'api.responses.write'],
    ['GET', '/v1/responses/resp_1/input_items', 'api.responses.read'],
    ['GET', '/v1/files/file-1', 'api.files.read'],
  ])('%s %s needs %s', (method, path, scope) => {
    expect(requiredScope(method, path)).toBe(scope);
  });

  it('read_only holds every *.read scope and nothing else', () => {
    expect(READ_SCOPES).toEqual(SCOPES.filter((s) => s.endsWith('.read')));
    const p = { permissions: 'read_only' as const, scopes: effectiveScopes('read_only', []) };
    expect(grants(p, 'api.model.read')).toBe(true);
    expect(grants(p, 'api.files.read')).toBe(true);
    expect(grants(p, 'model.request')).toBe(false);
  });

  it('restricted holds exactly its scopes; all holds every scope', () => {
    const r = { permissions: 'restricted' as const, scopes: effectiveScopes('restricted', ['model.request']) };
    expect(grants(r, 'model.request')).toBe(true);
    expect(grants(r, 'api.model.read')).toBe(false);
    const all = { permissions: 'all' as const, scopes: effectiveScopes('all', []) };
    expect([...all.scopes]).toEqual([...SCOPES]);
    expect(grants(all, 'model.request')).toBe(true);
    expect(grants(all, 'api.anything.write')).toBe(true);
  });

  it('the Responses API: model.request covers it; its own scopes grant only themselves', () => {
    const model = { permissions: 'restricted' as const, scopes: effectiveScopes('restricted', ['model.request']) };
    expect(grants(model, 'api.responses.write')).toBe(true);
    expect(grants(model, 'api.responses.read')).toBe(true);
    const readOnly = { permissions: 'read_only' as const, scopes: effectiveScopes('read_only', []) };
    expect(grants(readOnly, 'api.responses.read')).toBe(true);
    expect(grants(readOnly, 'api.responses.write')).toBe(false);
    const reader = { permissions: 'restricted' as const, scopes: effectiveScopes('restricted', ['api.responses.read']) };
    expect(grants(reader, 'api.responses.read')).toBe(true);
    expect(grants(reader, 'api.responses.write')).toBe(false);
    expect(grants(reader, 'model.request')).toBe(false);
  });
});
