/**
 * Schema builders for URLs the gateway will call, checked to the end where the config is loaded:
 * `https://` alone or `http://a b` starts like a URL but is not one, and would otherwise stop the
 * start only once the engine or the console builds it (`Invalid URL`, exit 1), after `config
 * check` passed it.
 * @module
 */
import { expected, httpUrl, text } from './fields.js';
import { redactUrl, webhookLabel } from './redact-url.js';

const parses = (u: string): boolean => URL.canParse(u);

/** An http(s) URL that parses (a deployment's base_url, the OIDC issuer). */
export const webUrl = () => httpUrl().refine(parses, { error: expected('an http(s) URL'), abort: true });

/**
 * A webhook URL as a message may quote it: an http(s) URL as webhookLabel shows it (its origin
 * and `/***`); anything else as what stands before the first `/`, `?` or `#` after the scheme
 * (user and password masked), and `/***` for the rest. A webhook's path is often its token.
 */
function shownWebhookUrl(s: string): string {
  if (/^https?:\/\//i.test(s) && URL.canParse(s)) return webhookLabel(s);
  const [, head = '', rest = ''] = /^((?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#]*)([^]*)$/i.exec(s) ?? [];
  return `${redactUrl(head)}${rest ? '/***' : ''}`;
}

/** The error of a webhook URL (a string: text() checked that) that is not one: `expected an http(s) URL, got "hooks.example.com/***"`. */
const webhookError = (iss: { input?: unknown }): string => `expected an http(s) URL, got ${JSON.stringify(shownWebhookUrl(String(iss.input)))}`;

/** A webhook's http(s) URL that parses; a wrong one is quoted without its path (shownWebhookUrl). */
export const webhookUrl = () => text().regex(/^https?:\/\//, { error: webhookError, abort: true }).refine(parses, { error: webhookError, abort: true });
