/**
 * Two-factor sign-in with time-based one-time passwords (RFC 6238, `otpauth`): 6 digits, 30 s,
 * SHA-1 (what authenticator apps expect), one step of clock drift either way. The secret must be
 * readable to check codes, so it is sealed (AES-256-GCM) under a key derived from the server
 * secret rather than hashed; recovery codes are random and stored as SHA-256 only.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

export const RECOVERY_CODE_COUNT = 10;
const ISSUER = 'Tollgate';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URL an authenticator app scans (as a QR code) or imports. */
export function otpauthUrl(secretBase32: string, email: string): string {
  return totpOf(secretBase32, email).toString();
}

function totpOf(secretBase32: string, label = ''): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secretBase32) });
}

const PERIOD_MS = 30_000;

/**
 * The time step (30 s since the epoch) `code` belongs to when it is the current code or the one
 * before or after at `now` (ms); null when it is none of them. The caller makes it single-use by
 * accepting each step once (AccountRepo.useTotpStep).
 */
export function totpCodeStep(secretBase32: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secretBase32).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / PERIOD_MS) + delta;
}

/** The current code (tests, and nothing else, need to compute one). */
export function totpCodeAt(secretBase32: string, now: number): string {
  return totpOf(secretBase32).generate({ timestamp: now });
}

/** Fresh recovery codes (`xxxx-xxxx-xxxx`, 60 random bits each) and their hashes. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const hex = randomBytes(8).toString('hex').slice(0, 12);
    return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
  });
  return { codes, hashes: codes.map(recoveryCodeHash) };
}

export function recoveryCodeHash(code: string): string {
  return createHash('sha256').update(code.trim().toLowerCase()).digest('hex');
}
