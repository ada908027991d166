/**
 * The console's base path: the path of the gateway's public URL ("/" or e.g. "/llm/"), read
 * from the page's <base href> (the gateway writes it when it serves index.html). Every API call
 * and every route is relative to it, so the console works behind a reverse proxy under a sub-path.
 */
export function basePath(): string {
  // Without a <base> element (a dev server), document.baseURI is the page's own URL: use "/".
  if (!document.querySelector('base[href]')) return '/';
  const p = new URL(document.baseURI).pathname;
  return p.endsWith('/') ? p : `${p}/`;
}

/** An absolute URL path under the base: apiPath('v1/models') → "/llm/v1/models". */
export const underBase = (path: string): string => basePath() + path.replace(/^\//, '');

/** The full URL of a console page, for links shown to people (invite links). */
export const pageUrl = (path: string): string => new URL(underBase(path), window.location.origin).toString();
