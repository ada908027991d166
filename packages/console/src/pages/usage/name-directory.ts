/**
 * Reads the lists that name the Usage page's groups: projects (archived ones too) for projects;
 * the organization's keys (every live one, of archived projects too, whoever may use it: GET
 * /console/api/api_keys) for API keys; the organization's members for users, and its service
 * accounts (GET /console/api/service_accounts) only when a service account is among them. Never
 * a call per group or per project: one list (a page per 100) per kind, however many projects the
 * organization has. A list is read once while the page is open, and again
 * when a group it does not name shows up in a report asked for after it was read (a key made
 * since); a group that a fresh list does not name either (a revoked key, a removed member) is
 * shown by its id, and asks for no more reads.
 */
import { listAll } from '../../lib/api';
import { listOrgKeys, listOrgServiceAccounts, listProjects, type OrgUser } from '../../lib/org-api';
import { groupNames, NO_GROUP, SERVICE_ACCOUNT_PREFIX, type GroupBy, type NameLists } from './groups';

type Kind = keyof NameLists;

/** The lists a grouping needs for these groups. */
function kindsFor(by: GroupBy, groups: readonly string[]): Kind[] {
  if (by === 'project_id') return ['projects'];
  if (by === 'api_key_id') return ['keys'];
  if (by === 'user_id') return groups.some((g) => g.startsWith(SERVICE_ACCOUNT_PREFIX)) ? ['users', 'serviceAccounts'] : ['users'];
  return [];
}

export class NameDirectory {
  /** Each list read, with when its read began (ms). */
  #lists = new Map<Kind, { at: number; list: Promise<NameLists[Kind]> }>();
  /** Groups that a list read after they were seen did not name. */
  #unnamed = new Set<string>();

  /**
   * The lists that name `groups` of a report grouped `by`. `since`: when the report was asked
   * for; a list read before then is read again if it misses one of the groups.
   */
  async lists(by: GroupBy, groups: readonly string[], since: number): Promise<NameLists> {
    const kinds = kindsFor(by, groups);
    let lists = await this.#read(kinds);
    const missing = () => {
      const named = groupNames(by, groups, lists);
      return groups.filter((g) => g !== NO_GROUP && !named.has(g) && !this.#unnamed.has(g));
    };
    const stale = kinds.filter((k) => this.#lists.get(k)!.at < since);
    if (stale.length > 0 && missing().length > 0) {
      for (const k of stale) this.#lists.delete(k);
      lists = await this.#read(kinds);
    }
    for (const g of missing()) this.#unnamed.add(g);
    return lists;
  }

  async #read(kinds: readonly Kind[]): Promise<NameLists> {
    return Object.fromEntries(await Promise.all(kinds.map(async (k) => [k, await this.#list(k)] as const))) as NameLists;
  }

  #list<K extends Kind>(kind: K): Promise<NameLists[K]> {
    let entry = this.#lists.get(kind);
    if (!entry) {
      const read = { at: Date.now(), list: this.#load(kind) };
      // A failed read is not kept: the next report asks again.
      read.list.catch(() => this.#lists.get(kind) === read && this.#lists.delete(kind));
      this.#lists.set(kind, read);
      entry = read;
    }
    return entry.list as Promise<NameLists[K]>;
  }

  #load(kind: Kind): Promise<NameLists[Kind]> {
    switch (kind) {
      case 'projects':
        return listProjects(true);
      case 'users':
        return listAll<OrgUser>('v1/organization/users');
      case 'keys':
        // Every key, also one whose owner has left its project (its usage stays).
        return listOrgKeys().then((keys) => keys.map((k) => ({ id: k.id, name: k.name, project: k.project })));
      case 'serviceAccounts':
        return listOrgServiceAccounts().then((accounts) => accounts.map((a) => ({ id: a.id, name: a.name, project: a.project })));
    }
  }
}
