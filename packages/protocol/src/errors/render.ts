import type { CatalogEntry, ErrorBody } from './entry.js';

export type RenderVars = Readonly<Record<string, string | number>>;

export interface RenderOptions {
  /** This gateway's public base URL, e.g. `https://llm.example.com`; messages link to its docs. */
  publicUrl: string;
  /** Overrides the entry's default `param` (validation errors name the offending path). */
  param?: string | null;
}

/** The docs page URL for the catalog, under the given public base URL. */
export function docsUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/docs/errors`;
}

/** This gateway's status page, under the given public base URL. */
export function statusPageUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/status`;
}

/**
 * Whether the status page may explain an error: the platform's own failures (server, upstream,
 * overload), which the error guide answers with "check the status page".
 */
export function pointsToStatusPage(e: Pick<CatalogEntry, 'group'>): boolean {
  return e.group === 'server' || e.group === 'upstream' || e.group === 'overload';
}

/**
 * The web console's root, under the given public base URL (the console is served at the public
 * URL's path). Messages add the page a person needs there, where OpenAI's wording links a page of
 * its platform: `/api-keys`, and for a rate limit the page of the limit that was reached (`/limits`,
 * `/projects/<project id>`, `/api-keys`: routes of packages/console/src/signed-in-pages.tsx).
 */
export function consoleUrl(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, '');
}

/** The URL placeholders every message may use; the docs show them filled in, not as `<name>`. */
export const URL_PLACEHOLDERS = ['docs_url', 'status_url', 'console_url'] as const;

/** Fills `{name}` placeholders; the `URL_PLACEHOLDERS` are always available. Unknown names stay as written. */
export function renderMessage(template: string, vars: RenderVars, publicUrl: string): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => {
    if (name === 'docs_url') return docsUrl(publicUrl);
    if (name === 'status_url') return statusPageUrl(publicUrl);
    if (name === 'console_url') return consoleUrl(publicUrl);
    const v = vars[name];
    return v === undefined ? whole : String(v);
  });
}

/** The JSON body for an entry: `{"error":{"message","type","param","code"}}`, all keys present. */
export function renderErrorBody(entry: CatalogEntry, vars: RenderVars, opts: RenderOptions): ErrorBody {
  return {
    error: {
      message: renderMessage(entry.message, vars, opts.publicUrl),
      type: entry.type,
      param: opts.param !== undefined ? opts.param : entry.param,
      code: entry.code,
    },
  };
}
