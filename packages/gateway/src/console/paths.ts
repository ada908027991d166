/**
 * The console's base path: the public URL's path (a reverse proxy may serve the gateway under a
 * sub-path, e.g. https://example.com/llm/), always ending in `/`.
 * @module
 */
export function basePathOf(publicUrl: string): string {
  const p = new URL(publicUrl).pathname.replace(/\/+$/, '');
  return `${p}/`;
}
