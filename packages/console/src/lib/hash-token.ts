/**
 * One-time tokens travel in the URL fragment (`/setup#token=…`, `/invite#token=…`): a fragment
 * is never sent to the server, so the token stays out of access logs and Referer headers.
 */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}
