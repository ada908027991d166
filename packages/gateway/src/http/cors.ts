/**
 * CORS: the OpenAI-compatible API may be called from browsers on any origin (like OpenAI's), so
 * its answers allow every origin and expose the retry and rate-limit headers. The admin API is for
 * operators' tools, never for a page on another origin: it sends no CORS headers at all, so a
 * browser refuses to let such a page read its answers or send it authorized requests.
 */
export function allowsCors(path: string): boolean {
  return !(path === '/admin' || path.startsWith('/admin/'));
}
