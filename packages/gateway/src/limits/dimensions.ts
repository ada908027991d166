import type { LimitSet } from '../config/types.js';

/**
 * The four rate-limit dimensions, in the order buckets are built. `label` and `abbr` are the
 * words of OpenAI's 429 messages ("on tokens per min (TPM)"); `kind` picks the header family
 * (`x-ratelimit-*-requests` or `-tokens`) and the catalog entry.
 */
export interface Dimension {
  field: keyof LimitSet;
  kind: 'requests' | 'tokens';
  abbr: 'RPM' | 'TPM' | 'RPD' | 'TPD';
  label: 'requests per min' | 'tokens per min' | 'requests per day' | 'tokens per day';
  windowMs: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export const DIMENSIONS: readonly Dimension[] = [
  { field: 'max_requests_per_1_minute', kind: 'requests', abbr: 'RPM', label: 'requests per min', windowMs: MINUTE },
  { field: 'max_tokens_per_1_minute', kind: 'tokens', abbr: 'TPM', label: 'tokens per min', windowMs: MINUTE },
  { field: 'max_requests_per_1_day', kind: 'requests', abbr: 'RPD', label: 'requests per day', windowMs: DAY },
  { field: 'max_tokens_per_1_day', kind: 'tokens', abbr: 'TPD', label: 'tokens per day', windowMs: DAY },
];

/** Whose limit a bucket is: the organization's (per model), its project's, or the API key's own. */
export type LimitScope = 'organization' | 'project' | 'key';
