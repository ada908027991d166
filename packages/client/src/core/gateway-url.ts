/**
 * One environment variable names the gateway for every tool: `TOLLGATE_URL` (the admin verbs,
 * `tollgate batch`, this client), with `TOLLGATE_BASE_URL` kept as an alias. Either may be given
 * with or without the `/v1` suffix: the admin API lives at the gateway's root (`/admin/v1`), the
 * OpenAI-compatible API under `/v1`, and each tool takes the part it needs.
 * @module
 */

/** The variable every tool reads first. */
export const GATEWAY_URL_ENV = 'TOLLGATE_URL';
/** Read when TOLLGATE_URL is not set (the name `tollgate batch` and the client used before). */
export const GATEWAY_URL_ENV_ALIAS = 'TOLLGATE_BASE_URL';

/** The gateway's root, without a trailing slash or `/v1`: `http://h:8080/v1/` → `http://h:8080`. */
export function gatewayRoot(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The OpenAI-compatible base URL: the gateway's root + `/v1`, whichever form was given. */
export function apiBaseUrl(url: string): string {
  return `${gatewayRoot(url)}/v1`;
}

/** TOLLGATE_URL, else TOLLGATE_BASE_URL, as given (blank counts as unset). */
export function gatewayUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const name of [GATEWAY_URL_ENV, GATEWAY_URL_ENV_ALIAS]) {
    const v = env[name]?.trim();
    if (v) return v;
  }
  return undefined;
}

/**
 * The API base URL the environment names: the gateway of TOLLGATE_URL (or its alias) + `/v1`,
 * else OPENAI_BASE_URL as given (blank counts as unset). The client and `tollgate batch` both use it.
 */
export function apiBaseUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const gateway = gatewayUrlFromEnv(env);
  if (gateway !== undefined) return apiBaseUrl(gateway);
  return env.OPENAI_BASE_URL?.trim() || undefined;
}
