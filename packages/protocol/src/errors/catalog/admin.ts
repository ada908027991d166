import type { EntrySpec } from '../entry.js';

/** Errors of the admin API (/admin/v1): same envelope, same rules. */
export const adminEntries = {
  missing_admin_key: {
    group: 'admin',
    kind: 'authentication',
    status: 401,
    type: 'invalid_request_error',
    code: null,
    param: null,
    message: "You didn't provide an admin key. You need to provide the admin key in an Authorization header using Bearer auth (i.e. Authorization: Bearer ADMIN_KEY). See {docs_url}#missing_admin_key.",
    retryable: false,
    title: { en: 'No admin key provided', 'zh-CN': '未提供管理密钥' },
    cause: {
      en: 'An admin API request came without `Authorization: Bearer <admin key>`.',
      'zh-CN': '管理 API 请求没有携带 `Authorization: Bearer <管理密钥>`。',
    },
    fix: {
      en: 'Send the admin key, which the gateway reads from the environment variable named by `admin_key_env` (TOLLGATE_ADMIN_KEY by default).',
      'zh-CN': '发送管理密钥；网关从 `admin_key_env` 指定的环境变量（默认为 TOLLGATE_ADMIN_KEY）读取它。',
    },
  },
  invalid_admin_key: {
    group: 'admin',
    kind: 'authentication',
    status: 401,
    type: 'invalid_request_error',
    code: 'invalid_admin_key',
    param: null,
    message: 'Incorrect admin key provided: {key}. See {docs_url}#invalid_admin_key.',
    retryable: false,
    title: { en: 'Incorrect admin key', 'zh-CN': '管理密钥不正确' },
    cause: {
      en: 'The bearer token is not the admin key. API keys (`sk-...`) never open the admin API.',
      'zh-CN': 'Bearer 令牌不是管理密钥。API 密钥（`sk-...`）永远不能访问管理 API。',
    },
    fix: {
      en: "Use the admin key from the gateway's environment (TOLLGATE_ADMIN_KEY by default).",
      'zh-CN': '使用网关环境中的管理密钥（默认为 TOLLGATE_ADMIN_KEY）。',
    },
  },
  invalid_metrics_token: {
    group: 'admin',
    kind: 'authentication',
    status: 401,
    type: 'invalid_request_error',
    code: 'invalid_metrics_token',
    param: null,
    message: "GET /metrics needs this gateway's metrics token in an Authorization header (i.e. Authorization: Bearer METRICS_TOKEN). See {docs_url}#invalid_metrics_token.",
    retryable: false,
    title: { en: 'Metrics token missing or wrong', 'zh-CN': '指标令牌缺失或错误' },
    cause: {
      en: 'The gateway has a metrics token (TOLLGATE_METRICS_TOKEN by default), and the request to /metrics did not carry it.',
      'zh-CN': '网关配置了指标令牌（默认为 TOLLGATE_METRICS_TOKEN），而对 /metrics 的请求没有携带它。',
    },
    fix: {
      en: "Set the scraper's bearer token to the gateway's metrics token (Prometheus: `authorization: { credentials: ... }` in the scrape config).",
      'zh-CN': '将抓取器的 Bearer 令牌设为网关的指标令牌（Prometheus：在抓取配置中设置 `authorization: { credentials: ... }`）。',
    },
  },
  resource_not_found: {
    group: 'admin',
    kind: 'not_found',
    status: 404,
    type: 'invalid_request_error',
    code: 'resource_not_found',
    param: null,
    message: 'No such {resource}: {id}.',
    retryable: false,
    title: { en: 'No such resource', 'zh-CN': '资源不存在' },
    cause: {
      en: 'The id in the path does not name an existing organization, user, membership, key or request.',
      'zh-CN': '路径中的 ID 不对应任何现有的组织、用户、成员关系、密钥或申请。',
    },
    fix: {
      en: 'List the resources (GET on the collection) and use an id from the list.',
      'zh-CN': '列出资源（对集合执行 GET），并使用列表中的 ID。',
    },
  },
  resource_conflict: {
    group: 'admin',
    kind: 'conflict',
    status: 409,
    type: 'invalid_request_error',
    code: 'resource_conflict',
    param: null,
    message: '{message}',
    retryable: false,
    title: { en: 'Conflict with existing state', 'zh-CN': '与现有状态冲突' },
    cause: {
      en: 'The change conflicts with what exists: a duplicate email, a membership that already exists, or a request already decided.',
      'zh-CN': '该更改与现有状态冲突：邮箱重复、成员关系已存在，或申请已被处理。',
    },
    fix: {
      en: 'Read the current state and change the request; sending it again as is will fail the same way.',
      'zh-CN': '读取当前状态并修改请求；原样重发会以同样方式失败。',
    },
  },
} satisfies Record<string, EntrySpec>;
