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
