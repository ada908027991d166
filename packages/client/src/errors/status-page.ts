/**
 * The gateway's status page, read when a server-side error reaches the caller: the error guide's
 * advice for 500s, 503s and overloaded engines is "check the status page", so the client does it
 * and attaches the open incident to the error's hint. `status.json` (cached) says whether anything
 * is wrong at all; only then are the unresolved incidents read, and the one naming the request's
 * model (or the one the `x-tollgate-incident` header names) is chosen. Never throws, bounded in time.
 * @module
 */
import type { FetchLike } from '../pacing/paced-fetch.js';
import { timerDelay } from '@tollgate/protocol';

/** An open incident from the gateway's status page (Statuspage v2 field values). */
export interface StatusIncident {
  id: string;
  name: string;
  /** investigating | identified | monitoring */
  status: string;
  /** none | minor | major | critical */
  impact: string;
  /** The incident's page. */
  url: string;
  /** The newest update's text. */
  latest: string | undefined;
  updatedAt: string;
}

interface Cached<T> {
  at: number;
  value: Promise<T | undefined>;
}

export interface StatusPageOptions {
  fetch: FetchLike;
  /** How long status.json and the incident list are reused. Default 30 s. */
  ttlMs?: number;
  /** Per request. Default 2 s. */
  timeoutMs?: number;
  now?: () => number;
}

export class StatusPageReader {
  private status: Cached<{ indicator: string }> | undefined;
  private unresolved: Cached<any[]> | undefined;
  private readonly ttl: number;
  private readonly timeout: number;
  private readonly now: () => number;

  /** `root`: the gateway's root URL (the base URL without `/v1`). */
  constructor(
    private readonly root: string,
    private readonly o: StatusPageOptions,
  ) {
    this.ttl = o.ttlMs ?? 30_000;
    this.timeout = o.timeoutMs ?? 2000;
    this.now = o.now ?? Date.now;
  }

  /** The open incident for `model` (or the one named by the error's header), if any. */
  async incidentFor(model: string | undefined, incidentHeader: string | null | undefined): Promise<StatusIncident | undefined> {
    try {
      const named = incidentHeader ? incidentHeader.split(';')[0]!.trim() : undefined;
      const status = await this.read('status', 'status.json', (d) => d?.status);
      if (!named && (!status || status.indicator === 'none')) return undefined;
      const list: any[] = (await this.read('unresolved', 'incidents/unresolved.json', (d) => (Array.isArray(d?.incidents) ? (d.incidents as any[]) : undefined))) ?? [];
      const names = (i: any, name: string) => Array.isArray(i.components) && i.components.some((c: any) => c?.name === name);
      // The incident the gateway named, else one on the request's model, else one on the API itself.
      const pick = list.find((i) => i.id === named) ?? (model === undefined ? list[0] : list.find((i) => names(i, model))) ?? list.find((i) => names(i, 'Public API'));
      if (!pick) return undefined;
      return { id: String(pick.id), name: String(pick.name), status: String(pick.status), impact: String(pick.impact), url: String(pick.shortlink), latest: pick.incident_updates?.[0]?.body, updatedAt: String(pick.updated_at) };
    } catch {
      return undefined;
    }
  }

  private read<T>(slot: 'status' | 'unresolved', path: string, pick: (d: any) => T | undefined): Promise<T | undefined> {
    const cur = this[slot] as Cached<T> | undefined;
    if (cur && this.now() - cur.at < this.ttl) return cur.value;
    const value = (async () => {
      try {
        const res = await this.o.fetch(`${this.root}/api/v2/${path}`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timerDelay(this.timeout)) });
        if (!res.ok) return undefined;
        return pick(await res.json());
      } catch {
        // An unreadable status page is "unknown", never an outage.
        return undefined;
      }
    })();
    (this as any)[slot] = { at: this.now(), value };
    return value;
  }
}
