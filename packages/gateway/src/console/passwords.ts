/**
 * Console passwords: argon2id (memory-hard) PHC strings from `@node-rs/argon2`, with OWASP's
 * minimum parameters (19 MiB, 2 passes, 1 lane). A sign-in for an unknown email still runs one
 * verification against a fixed hash, so the answer takes as long as for a wrong password.
 * @module
 */
import { hash, verify } from '@node-rs/argon2';
import { ApiError } from '../errors/api-error.js';

/** Length bounds in characters: long enough to resist guessing, short enough to hash cheaply. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

// The library's default algorithm is argon2id; the parameters are spelt out so that a change of
// the library's defaults cannot weaken new hashes silently.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Throws `password_too_weak` (400, param `param`) for a password outside the bounds. */
export function checkPasswordPolicy(password: string, param = 'password'): void {
  const n = [...password].length;
  if (n < PASSWORD_MIN || n > PASSWORD_MAX) throw new ApiError('password_too_weak', { min: PASSWORD_MIN, max: PASSWORD_MAX }, { param });
}

/** The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of a password, with a fresh salt. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummy: Promise<string> | undefined;

/**
 * Whether `password` matches `stored`. With no stored hash (unknown email, SSO-only account) it
 * verifies against a dummy hash and answers false, taking the same time as a wrong password.
 */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    dummy ??= hashPassword('not-a-password-of-anyone');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
