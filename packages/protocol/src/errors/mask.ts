/**
 * Masks a submitted key the way api.openai.com does in "Incorrect API key provided": the first 8
 * characters, `*` for each hidden character, the last 4 — total length preserved. Strings of 8
 * characters or fewer are echoed (OpenAI echoes "hello"); strings of 9–12 keep only 2 + 2 visible
 * so that a short secret is never shown whole.
 */
export function maskKey(submitted: string): string {
  const n = submitted.length;
  if (n <= 8) return submitted;
  const [head, tail] = n > 12 ? [8, 4] : [2, 2];
  return submitted.slice(0, head) + '*'.repeat(n - head - tail) + submitted.slice(n - tail);
}

/** The redacted form shown in key lists: `sk-...abcd`. */
export function redactKey(key: string): string {
  const prefix = key.startsWith('sk-') ? 'sk-' : '';
  return `${prefix}...${key.slice(-4)}`;
}
