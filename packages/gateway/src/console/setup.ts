/**
 * First run without a default password: while no operator account exists, the first start makes
 * a one-time setup link (`<public_url>/setup#token=…`; the token stays in the fragment, so it
 * never reaches a proxy's access log) and writes it to the owner-only first-start credentials
 * file, never to stdout. Only the token's SHA-256 is stored. The link creates the first owner
 * (an operator too: whoever can read that file runs the gateway) and is then used up.
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CredentialsFile } from '../first-start-credentials.js';
import type { Store } from '../store/index.js';
import type { AccountRepo } from './accounts.js';

export const SETUP_TOKEN_SETTING = 'console_setup_token_sha256';
const TOKEN = /^tgsetup_[A-Za-z0-9_-]{43}$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Makes the setup link when the console has no operator and no link is pending; saves it to the
 * credentials file and returns it (undefined when none was made). Instances starting together
 * make one link: only the one whose hash is stored writes its link.
 */
export async function createSetupLink(store: Store, accounts: AccountRepo, publicUrl: string, credentialsFile: CredentialsFile): Promise<string | undefined> {
  if ((await store.settings.get(SETUP_TOKEN_SETTING)) !== undefined || (await accounts.anyOperator())) return undefined;
  const token = `tgsetup_${randomBytes(32).toString('base64url')}`;
  const hash = sha256(token);
  if ((await store.settings.getOrCreate(SETUP_TOKEN_SETTING, () => hash)) !== hash) return undefined;
  const url = `${publicUrl}/setup#token=${token}`;
  credentialsFile.save({ TOLLGATE_CONSOLE_SETUP_URL: url });
  return url;
}

/** Whether a setup link is waiting to be used. */
export async function setupPending(store: Store): Promise<boolean> {
  return (await store.settings.get(SETUP_TOKEN_SETTING)) !== undefined;
}

/**
 * Uses the setup token: true when it was the pending one, which is then gone (a conditional
 * delete, so two uses racing cannot both succeed).
 */
export async function consumeSetupToken(store: Store, token: string): Promise<boolean> {
  if (!TOKEN.test(token)) return false;
  const stored = await store.settings.get(SETUP_TOKEN_SETTING);
  if (stored === undefined) return false;
  const given = Buffer.from(sha256(token));
  if (given.length !== stored.length || !timingSafeEqual(given, Buffer.from(stored))) return false;
  const r = await store.db.deleteFrom('settings').where('name', '=', SETUP_TOKEN_SETTING).where('value', '=', stored).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}
