/**
 * Schema builders for URLs the gateway will call, checked to the end where the config is loaded:
 * `https://` alone or `http://a b` starts like a URL but is not one, and would otherwise stop the
 * start only once the engine or the console builds it (`Invalid URL`, exit 1), after `config
 * check` passed it.
 * @module
 */
import { expected, httpUrl, showWebhook } from './fields.js';

const parses = (u: string): boolean => URL.canParse(u);

/** An http(s) URL that parses (a deployment's base_url, the OIDC issuer). */
export const webUrl = () => httpUrl().refine(parses, { error: expected('an http(s) URL'), abort: true });

/**
 * A webhook's http(s) URL that parses (status.webhooks[].url, billing.soft_limit_webhook_url).
 * A wrong one is quoted by its origin only, `***` when it is not a URL at all (fields.ts
 * showWebhook): a webhook's path is often its token.
 */
export const webhookUrl = () => httpUrl(showWebhook).refine(parses, { error: expected('an http(s) URL', showWebhook), abort: true });

/** The problem of credentials with an unencoded `/ ? #` (not quoted: the message is about a secret). */
export const UNENCODED_PASSWORD = 'the user or password holds an unencoded / ? or # (write them as %2F %3F %23); the value is not quoted';

/**
 * Whether a `scheme://user:password@host…` URL has a `/`, `?` or `#` in its credentials written as
 * it is: the authority then ends there, and the client reads a host out of part of the password
 * (and logs that part when it cannot reach it). Seen as an `@` after the first `/ ? #` that
 * follows the scheme. (An `@` in the credentials is read right: URL parsers take the last `@` of
 * the authority.) A URL without a scheme or credentials: false.
 */
export function hasUnencodedCredentials(url: string): boolean {
  const start = url.indexOf('://');
  if (start === -1) return false;
  const rest = url.slice(start + 3);
  const end = rest.search(/[/?#]/);
  return end !== -1 && rest.indexOf('@', end) !== -1;
}
