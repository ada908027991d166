/**
 * E-mails a quota request's decision to whoever asked: the user who made the request (an owner
 * in the console, or an operator's session), or, for a request made with the admin key (no
 * user behind it), the organization's owners, who see their requests in the console.
 * @module
 */
import type { Logger } from 'pino';
import type { Mailer } from '../mail/mailer.js';
import { quotaDecisionEmail } from '../mail/messages.js';
import type { Store } from '../store/index.js';
import { formatUsd } from './pricing.js';
import type { QuotaRequest } from './quota-requests.js';

/** Resolves true when every recipient's message was accepted, false when one failed, null when none was sent (SMTP off, nobody to tell). */
export type DecisionNotifier = (request: QuotaRequest) => Promise<boolean | null>;

export function quotaDecisionNotifier(deps: { store: Store; mailer: Mailer; log?: Logger | undefined }): DecisionNotifier {
  return async (r) => {
    try {
      return await notify(deps, r);
    } catch (e) {
      // The decision is made and recorded; reading who to tell (the database) failed.
      deps.log?.warn({ org_id: r.orgId, quota_request_id: r.id, err: { message: (e as Error).message } }, 'e-mail not sent');
      return false;
    }
  };
}

async function notify(deps: { store: Store; mailer: Mailer; log?: Logger | undefined }, r: QuotaRequest): Promise<boolean | null> {
  if (!deps.mailer.enabled || r.status === 'pending') return null;
  const org = await deps.store.organizations.get(r.orgId, { includeDeleted: true });
  const to = await recipients(deps.store, r);
  if (!org || to.length === 0) {
    deps.log?.info({ org_id: r.orgId, quota_request_id: r.id }, 'quota request decided; nobody to e-mail');
    return null;
  }
  const results = await Promise.all(
    to.map((address) =>
      deps.mailer.send(
        quotaDecisionEmail({
          to: address,
          orgName: org.name,
          requestId: r.id,
          decision: r.status as 'approved' | 'rejected',
          requestedUsd: formatUsd(r.requestedHardLimitPico, 2),
          previousUsd: r.previousHardLimitPico === null ? null : formatUsd(r.previousHardLimitPico, 2),
          note: r.note,
        }),
        { org_id: r.orgId, quota_request_id: r.id },
      ),
    ),
  );
  return results.includes(null) ? null : !results.includes(false);
}

async function recipients(store: Store, r: QuotaRequest): Promise<string[]> {
  const requester = r.requestedBy ? await store.users.get(r.requestedBy) : undefined;
  if (requester) return [requester.email];
  const owners = await store.db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('u.email')
    .where('m.org_id', '=', r.orgId)
    .where('m.role', '=', 'owner')
    .orderBy('m.created_at')
    .execute();
  return owners.map((o) => o.email);
}
