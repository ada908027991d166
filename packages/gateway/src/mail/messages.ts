/**
 * The texts of Tollgate's e-mails, in English, as plain text: every fact in words, every link
 * whole on its own line so that any mail client makes it clickable.
 * @module
 */
import type { MailMessage } from './mailer.js';

/** `2026-12-08 10:51 UTC`: the one reading of a time that does not depend on the reader's zone. */
export const utcTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function inviteEmail(i: { to: string; orgName: string; role: string; link: string; expiresAt: number }): MailMessage {
  return {
    to: i.to,
    subject: `You are invited to join ${i.orgName} on Tollgate`,
    text: [
      `You have been invited to join the organization "${i.orgName}" on Tollgate as ${i.role === 'owner' ? 'an owner' : `a ${i.role}`}.`,
      '',
      'Open this link to accept the invite (it works once):',
      '',
      i.link,
      '',
      `The invite expires on ${utcTime(i.expiresAt)}.`,
      '',
      'If you did not expect this invite, ignore this e-mail: nothing happens unless the link is opened and the invite accepted.',
      '',
    ].join('\n'),
  };
}

export function quotaDecisionEmail(d: {
  to: string;
  orgName: string;
  requestId: string;
  decision: 'approved' | 'rejected';
  requestedUsd: string;
  previousUsd: string | null;
  note: string | null;
}): MailMessage {
  const outcome =
    d.decision === 'approved'
      ? `Your request to raise the monthly hard limit of "${d.orgName}" to $${d.requestedUsd} was approved. The hard limit is now $${d.requestedUsd}.`
      : `Your request to raise the monthly hard limit of "${d.orgName}" to $${d.requestedUsd} was rejected.${d.previousUsd === null ? '' : ` The hard limit stays $${d.previousUsd}.`}`;
  return {
    to: d.to,
    subject: `Quota request ${d.decision}: ${d.orgName}`,
    text: [outcome, '', ...(d.note ? ['Note from the operator:', d.note, ''] : []), `Request: ${d.requestId}`, ''].join('\n'),
  };
}
