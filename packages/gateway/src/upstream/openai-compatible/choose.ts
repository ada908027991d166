/**
 * The order in which a call tries deployments: one picked at random in proportion to `weight`,
 * then the rest by weight, heaviest first (ties keep config order), as retries before the first
 * byte. A weight of 0 is a standby: never picked first while a weighted deployment is available,
 * but tried as a retry.
 */
export function deploymentOrder<T>(candidates: readonly T[], weightOf: (c: T) => number, random: () => number): T[] {
  if (candidates.length <= 1) return [...candidates];
  const weights = candidates.map((c) => Math.max(0, weightOf(c)));
  const total = weights.reduce((sum, w) => sum + w, 0);
  let first = 0;
  if (total > 0) {
    let r = random() * total;
    first = -1;
    for (let i = 0; i < candidates.length; i++) {
      const w = weights[i]!;
      if (w === 0) continue;
      first = i;
      if (r < w) break;
      r -= w;
    }
  }
  const rest = candidates.filter((_, i) => i !== first).sort((a, b) => weightOf(b) - weightOf(a));
  return [candidates[first]!, ...rest];
}
