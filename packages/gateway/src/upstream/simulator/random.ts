/**
 * Deterministic randomness for the simulator: a seed derived from any JSON-able parts, and a
 * small fast PRNG. Output must depend only on the request and the configured seed, never on
 * Math.random or time, so that the same request always gets the same answer.
 */
import { createHash } from 'node:crypto';

/** A 32-bit seed from the given parts (SHA-256 of their JSON, so any change moves it). */
export function seedFrom(...parts: unknown[]): number {
  return createHash('sha256').update(JSON.stringify(parts)).digest().readUInt32LE(0);
}

/** A stable hex digest of the given parts, for ids and fingerprints. */
export function hexFrom(length: number, ...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, length);
}

/** Numbers in [0, 1) from a 32-bit seed (mulberry32: tiny, fast, good enough for text). */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max]. */
export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}
