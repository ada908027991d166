/** Shapes of the Administration API objects the member pages read (OpenAI's, as the gateway serves them). */
import { api, listAll, listPage, type ListPage } from './api';

export interface Project {
  id: string;
  name: string;
  created_at: number;
  archived_at: number | null;
  status: 'active' | 'archived';
}

export interface KeyOwner {
  type: 'user' | 'service_account';
  user?: { id: string; name: string; email: string };
  service_account?: { id: string; name: string };
}

export interface ProjectApiKey {
  id: string;
  name: string;
  redacted_value: string;
  created_at: number;
  last_used_at: number | null;
  owner: KeyOwner;
}

export interface OrgUser {
  id: string;
  name: string;
  email: string;
  role: 'owner' | 'reader';
  added_at: number;
}

export interface Invite {
  id: string;
  email: string;
  role: 'owner' | 'reader';
  status: 'pending' | 'accepted' | 'expired';
  invited_at: number;
  expires_at: number;
  accepted_at?: number | null;
}

export const ORG = 'v1/organization';

export const listProjects = (includeArchived = false): Promise<Project[]> =>
  listAll<Project>(`${ORG}/projects${includeArchived ? '?include_archived=true' : ''}`);

export const projectPath = (projectId: string, rest = ''): string => `${ORG}/projects/${encodeURIComponent(projectId)}${rest}`;

export const deleteProjectKey = (projectId: string, keyId: string): Promise<unknown> =>
  api('DELETE', projectPath(projectId, `/api_keys/${encodeURIComponent(keyId)}`));

/**
 * A project as the signed-in member stands in it (GET /console/api/projects): one they may make
 * keys in, whether it is the Default project, and their role in it (null: not a member of it).
 */
export interface MyProject extends Project {
  is_default: boolean;
  role: 'owner' | 'member' | null;
}

/** The active projects the signed-in member may make keys in (every one for an owner). */
export const listMyProjects = async (): Promise<MyProject[]> => (await api<ListPage<MyProject>>('GET', 'console/api/projects')).data;

/** A key of the organization with its project, as the API keys page lists it. */
export interface OrgApiKey extends ProjectApiKey {
  project: { id: string; name: string };
}

/** The keys page size: the most one request reads. */
export const KEYS_PAGE = 100;

/**
 * One page of the organization's keys, newest first, each with its project
 * (GET /console/api/api_keys): one request whatever the number of projects.
 */
export const orgKeysPage = (after: string | undefined): Promise<ListPage<OrgApiKey>> => listPage<OrgApiKey>('console/api/api_keys', KEYS_PAGE, after);

/** The most keys or service accounts the Usage page reads to name its groups (a hundred a request). */
const NAMES_MAX = 10_000;

/**
 * Every live key of the organization, whoever may use it and in archived projects too, each with
 * its project (GET /console/api/api_keys, a hundred a request): what names a key's usage.
 */
export const listOrgKeys = (): Promise<OrgApiKey[]> => listAll<OrgApiKey>('console/api/api_keys?owner_project_access=any&include_archived=true', NAMES_MAX);

/** A service account of the organization with its project. */
export interface OrgServiceAccount {
  id: string;
  name: string;
  project: { id: string; name: string };
}

/** Every live service account of the organization, in archived projects too (GET /console/api/service_accounts, a hundred a request). */
export const listOrgServiceAccounts = (): Promise<OrgServiceAccount[]> => listAll<OrgServiceAccount>('console/api/service_accounts?include_archived=true', NAMES_MAX);

/** Revokes a key of the signed-in member's own (any role may). */
export const revokeOwnKey = (keyId: string): Promise<unknown> => api('DELETE', `console/api/api_keys/${encodeURIComponent(keyId)}`);
