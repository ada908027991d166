import type { CatalogEntry } from '../entry.js';

/** Authentication (401) and authorization (401/403) errors, worded as api.openai.com words them. */
export const authEntries: readonly CatalogEntry[] = [
  {
    id: 'missing_api_key',
    group: 'authentication',
    kind: 'authentication',
    status: 401,
    type: 'invalid_request_error',
    code: null,
    param: null,
    message:
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from {docs_url}#invalid_api_key.",
    retryable: false,
    title: { en: 'No API key provided', 'zh-CN': '未提供 API 密钥' },
    cause: {
      en: 'The request has no Authorization header, or it does not use the Bearer scheme.',
      'zh-CN': '请求没有 Authorization 头，或者没有使用 Bearer 方案。',
    },
    fix: {
      en: 'Send `Authorization: Bearer sk-...` with a key issued by this gateway (set `apiKey` in the SDK).',
      'zh-CN': '发送 `Authorization: Bearer sk-...`，使用本网关签发的密钥（在 SDK 中设置 `apiKey`）。',
    },
  },
  {
    id: 'invalid_api_key',
    group: 'authentication',
    kind: 'authentication',
    status: 401,
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    param: null,
    message: 'Incorrect API key provided: {key}. You can find your API key at {docs_url}#invalid_api_key.',
    retryable: false,
    title: { en: 'Incorrect API key', 'zh-CN': 'API 密钥不正确' },
    cause: {
      en: 'The key is unknown, malformed, revoked, expired, or belongs to a deleted organization.',
      'zh-CN': '该密钥未知、格式错误、已吊销、已过期，或属于已删除的组织。',
    },
    fix: {
      en: 'Check that the whole key was copied; ask an owner of your organization for a new key if it was revoked or expired.',
      'zh-CN': '检查密钥是否完整复制；如果密钥已吊销或过期，请向组织所有者申请新密钥。',
    },
  },
  {
    id: 'no_organization',
    group: 'authentication',
    kind: 'authentication',
    status: 401,
    type: 'invalid_request_error',
    code: 'no_organization',
    param: null,
    message:
      'You must be a member of an organization to use the API. Please contact us through our help center at {docs_url}#no_organization.',
    retryable: false,
    title: { en: 'Not a member of an organization', 'zh-CN': '不是任何组织的成员' },
    cause: {
      en: "The key's user was removed from the key's organization, or the organization was deleted.",
      'zh-CN': '密钥所属用户已被移出该组织，或该组织已被删除。',
    },
    fix: {
      en: 'Ask an owner of the organization to add you back, or use a key of an organization you belong to.',
      'zh-CN': '请组织所有者重新添加你，或使用你所属组织的密钥。',
    },
  },
  {
    id: 'invalid_organization',
    group: 'authentication',
    kind: 'authentication',
    status: 401,
    type: 'invalid_request_error',
    code: 'invalid_organization',
    param: null,
    message: 'No such organization: {organization}.',
    retryable: false,
    title: { en: 'No such organization', 'zh-CN': '组织不存在' },
    cause: {
      en: 'The OpenAI-Organization header names an organization that does not exist.',
      'zh-CN': 'OpenAI-Organization 请求头指定的组织不存在。',
    },
    fix: {
      en: 'Remove the header (the key already names its organization) or correct the organization id.',
      'zh-CN': '删除该请求头（密钥本身已确定组织），或更正组织 ID。',
    },
  },
  {
    id: 'mismatched_organization',
    group: 'authentication',
    kind: 'authentication',
    status: 401,
    type: 'invalid_request_error',
    code: 'mismatched_organization',
    param: null,
    message: 'OpenAI-Organization header should match organization for API key',
    retryable: false,
    title: { en: 'Organization header does not match the key', 'zh-CN': '组织请求头与密钥不匹配' },
    cause: {
      en: "The OpenAI-Organization header names another organization than the key's own.",
      'zh-CN': 'OpenAI-Organization 请求头指定的组织不是该密钥所属的组织。',
    },
    fix: {
      en: "Send the key's organization id, or drop the header (OPENAI_ORG_ID in the SDK).",
      'zh-CN': '发送密钥所属组织的 ID，或去掉该请求头（SDK 中的 OPENAI_ORG_ID）。',
    },
  },
  {
    id: 'insufficient_permissions',
    group: 'permission',
    kind: 'permission',
    status: 401,
    type: 'invalid_request_error',
    code: null,
    param: null,
    message:
      "You have insufficient permissions for this operation. Missing scopes: {scopes}. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.",
    retryable: false,
    title: { en: 'Missing scopes', 'zh-CN': '缺少权限范围' },
    cause: {
      en: "The key is read-only or restricted and lacks the scope this endpoint needs, or the user's role does not allow it.",
      'zh-CN': '该密钥为只读或受限密钥，缺少此端点所需的权限范围，或用户角色不允许此操作。',
    },
    fix: {
      en: 'Create a key with the missing scope (the message names it), or ask an owner for a role that allows the operation.',
      'zh-CN': '创建带有所缺权限范围的密钥（错误消息中已列出），或请所有者授予允许该操作的角色。',
    },
  },
  {
    id: 'model_access_denied',
    group: 'permission',
    kind: 'permission',
    status: 403,
    type: 'invalid_request_error',
    code: 'model_not_found',
    param: null,
    message: 'Organization `{organization}` does not have access to model `{model}`',
    retryable: false,
    title: { en: 'No access to the model', 'zh-CN': '无权访问该模型' },
    cause: {
      en: "The model exists, but it is not on the organization's list of allowed models.",
      'zh-CN': '该模型存在，但不在该组织允许使用的模型列表中。',
    },
    fix: {
      en: 'Use a model your organization may use (GET /v1/models lists them), or ask the operator to allow this one.',
      'zh-CN': '使用组织有权使用的模型（GET /v1/models 可列出），或请运维人员开放此模型。',
    },
  },
  {
    id: 'too_many_failed_authentications',
    group: 'authentication',
    kind: 'rate_limit',
    status: 429,
    type: 'requests',
    code: 'too_many_failed_authentications',
    param: null,
    message:
      'Too many requests with an invalid API key from your address. Please try again in {wait}. Visit {docs_url}#too_many_failed_authentications to learn more.',
    retryable: true,
    title: { en: 'Too many failed authentications', 'zh-CN': '认证失败次数过多' },
    cause: {
      en: 'Your address sent many requests with missing or incorrect keys in a short time; the gateway slows such addresses down so that keys cannot be guessed.',
      'zh-CN': '你的地址在短时间内发送了大量缺少密钥或密钥错误的请求；网关会限制此类地址，以防密钥被猜测。',
    },
    fix: {
      en: 'Fix the key your client sends, then wait for the time given in the message.',
      'zh-CN': '修正客户端发送的密钥，然后等待消息中给出的时间。',
    },
  },
];
