/**
 * Deterministic English text, built one token at a time.
 *
 * Every piece the generator emits is exactly one o200k token in context: words are taken from a
 * vocabulary filtered at load time to those that encode as a single token with their leading
 * space (and, for sentence starts, capitalized), and punctuation is a separate pre-token. BPE
 * never merges across pre-token boundaries, so the token count of the joined text equals the
 * number of pieces: a length cap in tokens is exact, and usage equals the tokenizer's count.
 */
import { countText } from '../../tokens/count.js';
import { intBetween, pick, type Rng } from './random.js';

const RAW = {
  determiners: ['the', 'this', 'that', 'every', 'each', 'our', 'their', 'one', 'some', 'another'],
  adjectives: [
    'quiet', 'bright', 'small', 'large', 'old', 'new', 'green', 'careful', 'simple', 'early', 'late', 'warm', 'cold',
    'distant', 'local', 'gentle', 'strong', 'steady', 'clear', 'hidden', 'narrow', 'broad', 'patient', 'curious', 'silver',
    'golden', 'modern', 'ancient', 'busy', 'calm', 'heavy', 'light', 'quick', 'slow', 'final', 'first', 'open', 'public',
  ],
  nouns: [
    'river', 'garden', 'engine', 'city', 'window', 'bridge', 'teacher', 'student', 'market', 'village', 'machine',
    'letter', 'report', 'forest', 'mountain', 'harbor', 'library', 'station', 'signal', 'answer', 'question', 'journey',
    'morning', 'evening', 'system', 'network', 'model', 'message', 'record', 'lamp', 'road', 'field', 'house', 'team',
    'plan', 'story', 'map', 'door', 'tower', 'island', 'painter', 'doctor', 'farmer', 'pilot', 'council', 'museum',
  ],
  verbs: [
    'found', 'built', 'opened', 'followed', 'carried', 'watched', 'changed', 'answered', 'measured', 'described',
    'reached', 'crossed', 'shared', 'moved', 'checked', 'joined', 'covered', 'named', 'planned', 'reviewed', 'visited',
    'started', 'finished', 'explained', 'improved', 'protected', 'counted', 'painted', 'read', 'wrote', 'saw', 'kept',
  ],
  adverbs: ['quietly', 'slowly', 'quickly', 'carefully', 'always', 'often', 'rarely', 'finally', 'soon', 'still', 'never'],
  prepositions: ['near', 'under', 'behind', 'beyond', 'across', 'inside', 'along', 'before', 'after', 'with', 'without'],
  conjunctions: ['and', 'while', 'because', 'but', 'so', 'although', 'when'],
};

const capitalize = (w: string) => w[0]!.toUpperCase() + w.slice(1);
const oneToken = (s: string) => countText(s) === 1;

/** Only words that are one token with a leading space (and capitalized, for determiners). */
function usable(words: readonly string[], startsSentence: boolean): string[] {
  const out = words.filter((w) => oneToken(` ${w}`) && (!startsSentence || (oneToken(capitalize(w)) && oneToken(` ${capitalize(w)}`))));
  if (out.length === 0) throw new Error('simulator vocabulary: no single-token words left');
  return out;
}

const V = {
  determiners: usable(RAW.determiners, true),
  adjectives: usable(RAW.adjectives, false),
  nouns: usable(RAW.nouns, false),
  verbs: usable(RAW.verbs, false),
  adverbs: usable(RAW.adverbs, false),
  prepositions: usable(RAW.prepositions, false),
  conjunctions: usable(RAW.conjunctions, false),
};

/** Vocabulary words (lower case), e.g. for tool-call argument values. */
export const NOUNS: readonly string[] = V.nouns;

/** Words of one clause: determiner, optional adjective, noun, optional adverb, verb, object. */
function clause(rng: Rng): string[] {
  const w: string[] = [pick(rng, V.determiners)];
  if (rng() < 0.5) w.push(pick(rng, V.adjectives));
  w.push(pick(rng, V.nouns));
  if (rng() < 0.25) w.push(pick(rng, V.adverbs));
  w.push(pick(rng, V.verbs), pick(rng, V.determiners));
  if (rng() < 0.5) w.push(pick(rng, V.adjectives));
  w.push(pick(rng, V.nouns));
  if (rng() < 0.4) w.push(pick(rng, V.prepositions), pick(rng, V.determiners), pick(rng, V.nouns));
  return w;
}

/** One sentence as single-token pieces; `first` is the very start of the text (no leading space). */
function sentence(rng: Rng, first: boolean): string[] {
  const words = clause(rng);
  const pieces = words.map((w, i) => (i === 0 ? capitalize(w) : w)).map((w, i) => (i === 0 && first ? w : ` ${w}`));
  if (rng() < 0.3) pieces.push(',', ` ${pick(rng, V.conjunctions)}`, ...clause(rng).map((w) => ` ${w}`));
  pieces.push('.');
  return pieces;
}

/**
 * Whole sentences until at least `target` tokens: the natural answer of a model that stops
 * on its own. Each returned piece is one token.
 */
export function sentences(rng: Rng, target: number): string[] {
  const out: string[] = [];
  while (out.length < target) out.push(...sentence(rng, out.length === 0));
  return out;
}

/** The natural answer length in tokens, before any cap: 16–200. */
export function naturalLength(rng: Rng): number {
  return intBetween(rng, 16, 200);
}
