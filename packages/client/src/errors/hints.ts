/**
 * `error.hint`: the catalog's cause and fix for the entry an error was recognised as. Errors the
 * catalog does not know (another server's wording, a network failure) get a general hint for
 * their kind, written here in the same two locales.
 * @module
 */
import type { CatalogEntry, Locale } from '@tollgate/protocol';
import type { ClientErrorKind } from './classes.js';
import type { StatusIncident } from './status-page.js';

export interface Hint {
  /** The catalog entry id the hint comes from; undefined for a general hint. */
  entryId: string | undefined;
  locale: Locale;
  title: string;
  cause: string;
  fix: string;
  /** The open incident on the gateway's status page, for a server-side error (see StatusPageReader). */
  incident?: StatusIncident;
}

type Text = Readonly<Record<Locale, string>>;
interface General {
  title: Text;
  cause: Text;
  fix: Text;
}

const REPORT_EN = 'If it persists, send `error.supportReport().text` to support.';
const REPORT_ZH = '如果持续出现，请将 `error.supportReport().text` 发给支持人员。';

const GENERAL: Record<ClientErrorKind, General> = {
  authentication: {
    title: { en: 'Authentication failed', 'zh-CN': '认证失败' },
    cause: { en: 'The API key is missing, wrong, revoked, or belongs to another organization.', 'zh-CN': 'API 密钥缺失、错误、已被撤销，或属于其他组织。' },
    fix: { en: 'Check the key (`apiKey`, TOLLGATE_API_KEY) and the organization header. Retrying will not help.', 'zh-CN': '检查密钥（`apiKey`、TOLLGATE_API_KEY）和组织请求头。重试无济于事。' },
  },
  permission: {
    title: { en: 'Permission denied', 'zh-CN': '权限不足' },
    cause: { en: 'The key is valid but not allowed to do this (a missing scope or a model it may not use).', 'zh-CN': '密钥有效，但无权执行此操作（缺少权限范围或无权使用该模型）。' },
    fix: { en: 'Use a key or role that allows the operation. Retrying will not help.', 'zh-CN': '使用有权执行该操作的密钥或角色。重试无济于事。' },
  },
  invalid_request: {
    title: { en: 'Invalid request', 'zh-CN': '无效的请求' },
    cause: { en: 'The server rejected the request as written; `param` and the message say what is wrong.', 'zh-CN': '服务器拒绝了该请求；`param` 和错误消息指出了问题所在。' },
    fix: { en: 'Change the request as the message says. Sending it again unchanged will fail the same way.', 'zh-CN': '按错误消息修改请求。原样重发会以同样的方式失败。' },
  },
  not_found: {
    title: { en: 'Not found', 'zh-CN': '未找到' },
    cause: { en: 'The URL, model or resource does not exist, or is not visible to this key.', 'zh-CN': 'URL、模型或资源不存在，或对该密钥不可见。' },
    fix: { en: 'Check the base URL (it should end in `/v1`) and the model id (GET /v1/models lists them).', 'zh-CN': '检查 base URL（应以 `/v1` 结尾）和模型 ID（GET /v1/models 可列出）。' },
  },
  conflict: {
    title: { en: 'Conflict', 'zh-CN': '冲突' },
    cause: { en: 'The request conflicts with the current state of the resource.', 'zh-CN': '请求与资源的当前状态冲突。' },
    fix: { en: 'Read the resource again and send a request that fits its current state.', 'zh-CN': '重新读取资源，并发送符合其当前状态的请求。' },
  },
  rate_limit: {
    title: { en: 'Rate limit reached', 'zh-CN': '达到速率限制' },
    cause: { en: 'More requests or tokens were sent than the rate limit allows.', 'zh-CN': '发送的请求数或 token 数超过了速率限制。' },
    fix: { en: 'Back off for `retryAfterMs` (the client does this), pace requests (see `Pacer`), or ask for a higher limit.', 'zh-CN': '等待 `retryAfterMs` 后重试（客户端会自动执行），控制请求速度（见 `Pacer`），或申请更高的限额。' },
  },
  insufficient_quota: {
    title: { en: 'Quota exceeded', 'zh-CN': '超出配额' },
    cause: { en: 'The spend quota or credit balance is exhausted.', 'zh-CN': '消费配额或余额已用完。' },
    fix: { en: 'Do not retry: raise the limit or add credit, then send the request again.', 'zh-CN': '不要重试：提高限额或充值后再发送请求。' },
  },
  overloaded: {
    title: { en: 'Engine overloaded', 'zh-CN': '引擎过载' },
    cause: { en: 'The engine serving the model is at capacity. This is not your rate limit.', 'zh-CN': '为该模型提供服务的引擎已满负荷。这不是你的速率限制。' },
    fix: { en: 'Retry after a delay with exponential backoff (the client does this).', 'zh-CN': '延迟后以指数退避重试（客户端会自动执行）。' },
  },
  service_unavailable: {
    title: { en: 'Service unavailable', 'zh-CN': '服务不可用' },
    cause: { en: 'The server or its engine cannot take requests right now.', 'zh-CN': '服务器或其引擎当前无法处理请求。' },
    fix: { en: `Retry after a brief wait (the client does this). ${REPORT_EN}`, 'zh-CN': `稍候重试（客户端会自动执行）。${REPORT_ZH}` },
  },
  timeout: {
    title: { en: 'Gateway timeout', 'zh-CN': '网关超时' },
    cause: { en: 'The server timed out waiting for the engine.', 'zh-CN': '服务器等待引擎时超时。' },
    fix: { en: `Retry; ask for less output (\`max_tokens\`) or stream. ${REPORT_EN}`, 'zh-CN': `重试；减少输出（\`max_tokens\`）或使用流式响应。${REPORT_ZH}` },
  },
  server: {
    title: { en: 'Server error', 'zh-CN': '服务器错误' },
    cause: { en: 'The server failed while processing the request; the request itself may be fine.', 'zh-CN': '服务器在处理请求时出错；请求本身可能没有问题。' },
    fix: { en: `Retry with backoff. ${REPORT_EN}`, 'zh-CN': `以退避方式重试。${REPORT_ZH}` },
  },
  connection: {
    title: { en: 'Connection error', 'zh-CN': '连接错误' },
    cause: { en: 'No response arrived: the connection was refused or reset, the host name did not resolve, or TLS failed.', 'zh-CN': '没有收到响应：连接被拒绝或被重置、主机名无法解析，或 TLS 失败。' },
    fix: { en: 'Check the base URL, network, proxy, TLS certificates and firewall; the client retries with backoff.', 'zh-CN': '检查 base URL、网络、代理、TLS 证书和防火墙；客户端会以退避方式重试。' },
  },
  client_timeout: {
    title: { en: 'Request timed out', 'zh-CN': '请求超时' },
    cause: { en: 'No complete response arrived within the client timeout (`timeout` per attempt, `totalTimeout` overall).', 'zh-CN': '在客户端超时时间内（每次尝试的 `timeout`，或总的 `totalTimeout`）没有收到完整响应。' },
    fix: { en: `Retry after a brief wait, raise the timeout, ask for less output, or stream. ${REPORT_EN}`, 'zh-CN': `稍候重试、提高超时、减少输出或使用流式响应。${REPORT_ZH}` },
  },
  aborted: {
    title: { en: 'Request aborted', 'zh-CN': '请求已中止' },
    cause: { en: "The caller's AbortSignal aborted the request.", 'zh-CN': '调用方的 AbortSignal 中止了请求。' },
    fix: { en: 'Nothing to fix; send the request again if it is still wanted.', 'zh-CN': '无需修复；如仍需要，请重新发送请求。' },
  },
  unknown: {
    title: { en: 'Unexpected error', 'zh-CN': '意外错误' },
    cause: { en: 'The server answered with an error this client does not recognise.', 'zh-CN': '服务器返回了本客户端无法识别的错误。' },
    fix: { en: `Read the message and status. ${REPORT_EN}`, 'zh-CN': `查看错误消息和状态码。${REPORT_ZH}` },
  },
};

/** The hint for an error: its catalog entry's text, or the general text of its kind. */
export function hintFor(entry: CatalogEntry | undefined, kind: ClientErrorKind, locale: Locale): Hint {
  const src = entry ?? GENERAL[kind];
  return { entryId: entry?.id, locale, title: src.title[locale], cause: src.cause[locale], fix: src.fix[locale] };
}
