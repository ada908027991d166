/**
 * CORS: the OpenAI-compatible API may be called from browsers on any origin (like OpenAI's), so
 * its answers allow every origin and expose the retry and rate-limit headers. The admin API is for
 * operators' tools, never for a page on another origin (and so is `/v1/organization`): it sends no CORS headers at all, so a
 * browser refuses to let such a page read its answers or send it authorized requests.
 */
export function allowsCors(path: string): boolean {
  // The organization's Administration API (admin keys) is an admin API too.
  if (path === '/v1/organization' || path.startsWith('/v1/organization/')) return false;
  return !(path === '/admin' || path.startsWith('/admin/'));
}
