import type { CatalogEntry } from '../entry.js';

/** Rate limits, spend quotas and overload: the three kinds of 429 a client must tell apart. */
export const limitEntries: readonly CatalogEntry[] = [
  {
    id: 'rate_limit_requests',
    group: 'rate_limit',
    kind: 'rate_limit',
    status: 429,
    type: 'requests',
    code: 'rate_limit_exceeded',
    param: null,
    message:
      'Rate limit reached for {model} in organization {organization} on {dimension} ({abbr}): Limit {limit}, Used {used}, Requested {requested}. Please try again in {wait}. Visit {docs_url}#rate_limit_requests to learn more.',
    retryable: true,
    title: { en: 'Rate limit reached (requests)', 'zh-CN': '达到速率限制（请求数）' },
    cause: {
      en: "The organization sent more requests to this model than its requests-per-minute (RPM) or requests-per-day (RPD) limit allows.",
      'zh-CN': '该组织对此模型发送的请求数超过了每分钟请求数（RPM）或每日请求数（RPD）限制。',
    },
    fix: {
      en: 'Wait for the time in the message (the `retry-after-ms` header has it exactly), pace requests to the limit in `x-ratelimit-limit-requests`, or ask for a higher tier.',
      'zh-CN': '等待消息中给出的时间（`retry-after-ms` 头给出精确值），按 `x-ratelimit-limit-requests` 中的限制控制请求速度，或申请更高的等级。',
    },
  },
  {
    id: 'rate_limit_tokens',
    group: 'rate_limit',
    kind: 'rate_limit',
    status: 429,
    type: 'tokens',
    code: 'rate_limit_exceeded',
    param: null,
    message:
      'Rate limit reached for {model} in organization {organization} on {dimension} ({abbr}): Limit {limit}, Used {used}, Requested {requested}. Please try again in {wait}. Visit {docs_url}#rate_limit_tokens to learn more.',
    retryable: true,
    title: { en: 'Rate limit reached (tokens)', 'zh-CN': '达到速率限制（token 数）' },
    cause: {
      en: 'The tokens of recent requests plus this one (prompt plus the maximum output) exceed the tokens-per-minute (TPM) or tokens-per-day (TPD) limit.',
      'zh-CN': '最近请求的 token 数加上本次请求（提示词加最大输出）超过了每分钟 token 数（TPM）或每日 token 数（TPD）限制。',
    },
    fix: {
      en: 'Wait for the time in the message, set `max_tokens` close to what you need (the maximum output is reserved up front), or spread requests out.',
      'zh-CN': '等待消息中给出的时间，将 `max_tokens` 设为接近实际需要的值（最大输出会被预先预留），或分散请求。',
    },
  },
  {
    id: 'request_too_large',
    group: 'rate_limit',
    kind: 'invalid_request',
    status: 429,
    type: 'tokens',
    code: 'rate_limit_exceeded',
    param: null,
    message:
      'Request too large for {model} in organization {organization} on {dimension} ({abbr}): Limit {limit}, Requested {requested}. The input or output tokens must be reduced in order to run successfully. Visit {docs_url}#request_too_large to learn more.',
    retryable: false,
    title: { en: 'Request too large for the limit', 'zh-CN': '请求超过限额' },
    cause: {
      en: "This single request needs more tokens than the whole limit, so it can never pass, however long you wait.",
      'zh-CN': '单个请求需要的 token 数超过了整个限额，因此无论等待多久都无法通过。',
    },
    fix: {
      en: 'Lower `max_tokens` (the maximum output counts against the limit), shorten the prompt, or ask for a higher limit.',
      'zh-CN': '降低 `max_tokens`（最大输出计入限额）、缩短提示词，或申请更高的限额。',
    },
  },
  {
    id: 'rate_limit_blocked_requests',
    group: 'rate_limit',
    kind: 'rate_limit',
    status: 429,
    type: 'requests',
    code: 'rate_limit_exceeded',
    param: null,
    message:
      'Rate limit reached for {model} in organization {organization} on {dimension} ({abbr}): Limit 0, Requested {requested}. The limit of {scope} for this model is 0, so its requests are blocked and waiting will not help. Visit {docs_url}#rate_limit_blocked_requests to learn more.',
    retryable: false,
    title: { en: 'Blocked by a limit of 0 (requests)', 'zh-CN': '限额为 0，请求被阻止（请求数）' },
    cause: {
      en: 'An administrator set this requests-per-minute or requests-per-day limit to 0 for the organization or the API key: 0 means the model is blocked, not unlimited.',
      'zh-CN': '管理员将该组织或 API 密钥的每分钟或每日请求数限额设为 0：0 表示阻止使用该模型，而不是不限。',
    },
    fix: {
      en: 'Do not retry: ask an organization owner or the operator to raise the limit (null means unlimited), or use another model.',
      'zh-CN': '不要重试：请组织所有者或运维人员提高限额（null 表示不限），或改用其他模型。',
    },
  },
  {
    id: 'rate_limit_blocked_tokens',
    group: 'rate_limit',
    kind: 'rate_limit',
    status: 429,
    type: 'tokens',
    code: 'rate_limit_exceeded',
    param: null,
    message:
      'Rate limit reached for {model} in organization {organization} on {dimension} ({abbr}): Limit 0, Requested {requested}. The limit of {scope} for this model is 0, so its requests are blocked and waiting will not help. Visit {docs_url}#rate_limit_blocked_tokens to learn more.',
    retryable: false,
    title: { en: 'Blocked by a limit of 0 (tokens)', 'zh-CN': '限额为 0，请求被阻止（token 数）' },
    cause: {
      en: 'An administrator set this tokens-per-minute or tokens-per-day limit to 0 for the organization or the API key: 0 means the model is blocked, not unlimited.',
      'zh-CN': '管理员将该组织或 API 密钥的每分钟或每日 token 数限额设为 0：0 表示阻止使用该模型，而不是不限。',
    },
    fix: {
      en: 'Do not retry: ask an organization owner or the operator to raise the limit (null means unlimited), or use another model.',
      'zh-CN': '不要重试：请组织所有者或运维人员提高限额（null 表示不限），或改用其他模型。',
    },
  },
  {
    id: 'insufficient_quota',
    group: 'quota',
    kind: 'insufficient_quota',
    status: 429,
    type: 'insufficient_quota',
    code: 'insufficient_quota',
    param: null,
    message:
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: {docs_url}#insufficient_quota.',
    retryable: false,
    title: { en: 'Quota exceeded', 'zh-CN': '超出配额' },
    cause: {
      en: "The organization's spend this month plus this request's worst-case cost would pass its monthly hard limit.",
      'zh-CN': '该组织本月的花费加上本次请求的最坏情况费用将超过其每月硬性限额。',
    },
    fix: {
      en: 'Do not retry: ask an owner to raise the hard limit (a quota-increase request), or wait for the next calendar month (UTC).',
      'zh-CN': '不要重试：请所有者提高硬性限额（提交配额提升申请），或等到下一个自然月（UTC）。',
    },
  },
  {
    id: 'engine_overloaded',
    group: 'overload',
    kind: 'overloaded',
    status: 429,
    type: 'server_error',
    code: 'engine_overloaded',
    param: null,
    message: 'The engine is currently overloaded, please try again later',
    retryable: true,
    title: { en: 'Engine overloaded', 'zh-CN': '引擎过载' },
    cause: {
      en: 'The engine serving this model is at capacity and the wait for a slot would exceed the limit. This is not your rate limit and is not charged.',
      'zh-CN': '为该模型提供服务的引擎已满负荷，等待空闲槽位的时间将超过上限。这不是你的速率限制，也不会计费。',
    },
    fix: {
      en: 'Retry after the `retry-after` delay with exponential backoff; the SDKs do this by default.',
      'zh-CN': '在 `retry-after` 给出的延迟后以指数退避重试；SDK 默认会这样做。',
    },
  },
  {
    id: 'server_is_overloaded',
    group: 'overload',
    kind: 'overloaded',
    status: 503,
    type: 'service_unavailable_error',
    code: 'server_is_overloaded',
    param: null,
    message: 'The engine is currently overloaded, please try again later',
    retryable: true,
    title: { en: 'Server overloaded (503)', 'zh-CN': '服务器过载（503）' },
    cause: {
      en: 'The engine serving this model is at capacity; this gateway is configured to answer overload with 503 as api.openai.com does today.',
      'zh-CN': '为该模型提供服务的引擎已满负荷；本网关被配置为像当前 api.openai.com 一样以 503 回应过载。',
    },
    fix: {
      en: 'Retry after the `retry-after` delay with exponential backoff; the SDKs do this by default.',
      'zh-CN': '在 `retry-after` 给出的延迟后以指数退避重试；SDK 默认会这样做。',
    },
  },
];
