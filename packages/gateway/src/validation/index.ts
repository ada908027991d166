/**
 * Stage 4 of the request path, validate: turns a parsed JSON body for /v1/chat/completions,
 * /v1/completions or /v1/embeddings into a ValidatedRequest, or throws the 400 (or 404) that
 * api.openai.com would send, worded as OpenAI words it.
 *
 * Order, first failure wins:
 * 0. nesting no deeper than MAX_DEPTH (512)         invalid_json (as OpenAI's parser fails)
 * 1. the body is a JSON object                      invalid_body_type
 * 2. every top-level name is one the endpoint knows unrecognized_argument(s)
 *    (or one the model's config forwards:           (/v1/responses: unknown_parameter, which
 *    extra_params, forward_unknown_params)           step 4 also raises for a function tool's)
 * 3. the required parameters are present            missing_required_parameter
 * 4. types, ranges and values, nested paths named   invalid_type, *_above_max_*, invalid_value...
 *    like `messages[0].content[1].image_url.url`; then parameters that need another one
 * 5. the model exists and serves this endpoint      model_not_found, not_a_chat_model,
 *                                                   embeddings_not_allowed; then what the model
 *    allows of `dimensions` (embeddings)            dimensions_not_supported, integer_above_max_value
 * 6. the output cap, then the context window        integer_above_max_value, context_length_exceeded
 *    (the prompt is bounded by its length before it is tokenized, and long prompts are counted
 *    in a worker thread: see tokens/prompt-counter.ts)
 *
 * JSON parsing, content type, body size, URL and method belong to the HTTP layer. The walker
 * is hand-written (no schema library; value sets and messages precomputed at load) and
 * allocates little per request: a few small result objects and the path strings of array items.
 * @module
 */
import type { ModelConfig } from '../config/types.js';
import { ApiError } from '../errors/api-error.js';
import type { InferenceEndpoint } from '../upstream/engine.js';
import { countPrompt, type Counted } from '../tokens/count-job.js';
import type { PromptCounter } from '../tokens/prompt-counter.js';
import { chatPromptText, promptListTexts, type PromptText } from '../tokens/prompt-text.js';
import { chatBudget, checkOutputCap, completionBudget, embeddingBudget, responsesBudget, type TokenBudget } from './budget.js';
import type { CompletionFacts } from './completions.js';
import { inputItems, responsesToChat } from '../responses/to-chat.js';
import { checkFunctionCallOutputs, checkResponsesBody, isItemReference } from './responses.js';
import { checkChatBody } from './chat.js';
import { checkCompletionBody } from './completions.js';
import { checkDepth } from './depth.js';
import { describeValue } from './describe.js';
import { checkEmbeddingBody, checkEmbeddingDimensions } from './embeddings.js';
import { missing, unknownParameter, wrongType } from './errors.js';
import { isObject, type Obj } from './fields.js';
import type { GenerationFacts } from './generation.js';
import { KNOWN_PARAMS, PROMPT_PARAM } from './vocabulary.js';

export interface ValidatedRequest {
  endpoint: InferenceEndpoint;
  model: ModelConfig;
  /** The caller's body, unchanged (the forward stage copies it before editing). */
  body: Record<string, unknown>;
  stream: boolean;
  /** `stream_options.include_usage === true`. */
  includeUsage: boolean;
  /** Counted with tokens/count.ts. For a batch of prompts or inputs, their sum. */
  promptTokens: number;
  /**
   * Worst-case output tokens of the whole request: per completion the explicit cap
   * (`max_completion_tokens ?? max_tokens`) or else `min(model.max_output_tokens, context left)`,
   * times `n` (completions: times `max(n, best_of)` and summed over the prompts of a batch).
   * 0 for embeddings.
   */
  maxOutputTokens: number;
  /** Output tokens one completion may produce: forwarded upstream when the caller set no cap. */
  outputBound: number;
  n: number;
  /** For `responses`: the turn as the caller sent it, for the answer and the store. */
  responses?: ResponsesTurn;
}

export interface ResponsesTurn {
  /** The caller's body, unchanged. */
  request: Record<string, unknown>;
  /** This turn's input items (not the earlier turns'). */
  input: Record<string, unknown>[];
  previousResponseId: string | null;
  store: boolean;
}

/** What a Responses request reads of the stored responses of the caller's organization. */
export interface StoredItems {
  /**
   * The earlier turns of `previous_response_id`, as input items in order (each turn's input, then
   * its output); throws previous_response_not_found when the caller cannot see it.
   */
  previousTurns(id: string): Promise<Record<string, unknown>[]>;
  /** The items named by item references, by id; throws item_not_found for one not visible. */
  items(ids: readonly string[]): Promise<Map<string, Record<string, unknown>>>;
}

/**
 * `POST /v1/responses`: the common steps, the body's own checks, then the earlier turns of
 * `previous_response_id` (they count as input tokens, as OpenAI bills them) and the stored items
 * that item references in `input` name (each replaced by its item, all read at once, before the
 * conversation's own checks), then the budget. `body` of the result is what engines are sent:
 * the whole conversation in `input`, nothing to store upstream (Tollgate keeps responses itself).
 */
export async function validateResponses(
  body: unknown,
  findModel: (name: string) => ModelConfig | undefined,
  stored: StoredItems,
  counter: PromptCounter,
): Promise<ValidatedRequest> {
  const { body: obj, modelName, found } = checkCommon('responses', body, findModel);
  const facts = checkResponsesBody(obj, { nestedUnknown: !found?.forward_unknown_params });
  const model = findServingModel('responses', modelName, found);
  const earlier = facts.previousResponseId === undefined ? [] : await stored.previousTurns(facts.previousResponseId);
  const input = await resolveItemReferences(inputItems(obj.input), stored);
  checkFunctionCallOutputs(input, earlier);
  const engineBody: Record<string, unknown> = { ...obj, input: [...earlier, ...input], store: false };
  delete engineBody.previous_response_id;
  delete engineBody.metadata;
  delete engineBody.background;
  // Counted as the chat prompt it becomes: the same prompt costs the same on either endpoint.
  const chat = responsesToChat(engineBody);
  const prompt = chatPromptText(chat.messages as unknown[], chat.tools);
  const [counted] = await counter.count([prompt], EXACT_COUNT_WINDOWS * model.context_window);
  const budget = responsesBudget(counted!, model, facts.maxOutputTokens);
  return {
    endpoint: 'responses',
    model,
    body: engineBody,
    stream: facts.stream,
    includeUsage: false,
    promptTokens: budget.promptTokens,
    maxOutputTokens: budget.maxOutputTokens,
    outputBound: budget.perCompletion,
    n: 1,
    responses: { request: obj, input, previousResponseId: facts.previousResponseId ?? null, store: facts.store },
  };
}

/** `input` with each item reference replaced by the stored item it names (one read for all). */
async function resolveItemReferences(input: Record<string, unknown>[], stored: StoredItems): Promise<Record<string, unknown>[]> {
  const ids = input.filter(isItemReference).map((item) => item.id);
  if (ids.length === 0) return input;
  const found = await stored.items(ids);
  return input.map((item) => (isItemReference(item) ? found.get(item.id)! : item));
}

/**
 * Throws ApiError; returns only for a body the endpoint would accept. Counts on the calling
 * thread: for tests and tools. The request path uses `validateInferenceCounted`.
 */
export function validateInference(
  endpoint: InferenceEndpoint,
  body: unknown,
  findModel: (name: string) => ModelConfig | undefined,
): ValidatedRequest {
  const checked = checkInference(endpoint, body, findModel);
  return finish(checked, checked.prompts.map((p) => countPrompt(p, Infinity)));
}

/**
 * Prompts are counted exactly up to this many context windows, so a prompt somewhat too long is
 * told its exact size; one far beyond is refused with "at least N" once its count passes the
 * bound (or at once, when its length alone proves it), which caps the work one request can cause.
 */
export const EXACT_COUNT_WINDOWS = 2;

/**
 * The same judgement, with the prompt counted by `counter`: bounded first, then on the event loop
 * when short, in a worker thread when long, and never past the context window.
 */
export async function validateInferenceCounted(
  endpoint: InferenceEndpoint,
  body: unknown,
  findModel: (name: string) => ModelConfig | undefined,
  counter: PromptCounter,
): Promise<ValidatedRequest> {
  const checked = checkInference(endpoint, body, findModel);
  return finish(checked, await counter.count(checked.prompts, EXACT_COUNT_WINDOWS * checked.model.context_window));
}

/** Everything judged before counting, and the prompts still to count. */
type Checked = { body: Obj; model: ModelConfig; prompts: PromptText[] } & (
  | { endpoint: 'chat.completions'; facts: GenerationFacts }
  | { endpoint: 'completions'; facts: CompletionFacts }
  | { endpoint: 'embeddings' }
);

/**
 * Steps 0–3 and the type of `model`, shared by every endpoint. The model decides which names
 * beyond OpenAI's it accepts, so it is looked up first (once: `found` serves step 5 too); whether
 * it exists and serves this endpoint is still judged at step 5. The prompt parameter is required
 * here except on /v1/responses, whose body checks judge `input` themselves.
 */
function checkCommon(
  endpoint: InferenceEndpoint,
  body: unknown,
  findModel: (name: string) => ModelConfig | undefined,
): { body: Obj; modelName: string; found: ModelConfig | undefined } {
  checkDepth(body);
  if (!isObject(body)) throw new ApiError('invalid_body_type', { actual: describeValue(body) });
  const found = typeof body.model === 'string' ? findModel(body.model) : undefined;
  rejectUnknownParams(endpoint, body, KNOWN_PARAMS[endpoint], found);
  if (body.model === undefined) missing('model');
  if (endpoint !== 'responses') {
    const promptParam = PROMPT_PARAM[endpoint];
    if (body[promptParam] === undefined) missing(promptParam);
  }
  if (typeof body.model !== 'string') wrongType('model', 'a string', body.model);
  return { body, modelName: body.model, found };
}

function checkInference(endpoint: InferenceEndpoint, input: unknown, findModel: (name: string) => ModelConfig | undefined): Checked {
  const { body, modelName, found } = checkCommon(endpoint, input, findModel);
  if (endpoint === 'chat.completions') {
    const facts = checkChatBody(body);
    const model = findServingModel(endpoint, modelName, found);
    checkOutputCap(facts, model);
    const tools = body.tools ?? body.functions ?? undefined;
    return { endpoint, body, model, facts, prompts: [chatPromptText(body.messages as unknown[], tools)] };
  }
  if (endpoint === 'completions') {
    const facts = checkCompletionBody(body);
    const model = findServingModel(endpoint, modelName, found);
    checkOutputCap(facts, model);
    return { endpoint, body, model, facts, prompts: promptListTexts(body.prompt) };
  }
  if (endpoint === 'responses') throw new Error('validateResponses validates /v1/responses');
  checkEmbeddingBody(body);
  const model = findServingModel(endpoint, modelName, found);
  checkEmbeddingDimensions(body, model);
  return { endpoint, body, model, prompts: promptListTexts(body.input) };
}

function finish(c: Checked, counts: Counted[]): ValidatedRequest {
  if (c.endpoint === 'chat.completions') return validated(c.endpoint, c.model, c.body, c.facts, chatBudget(counts[0]!, c.model, c.facts));
  if (c.endpoint === 'completions') return validated(c.endpoint, c.model, c.body, c.facts, completionBudget(counts, c.model, c.facts));
  return validated(c.endpoint, c.model, c.body, NOT_GENERATING, embeddingBudget(counts, c.model));
}

const NOT_GENERATING = { stream: false, includeUsage: false, n: 1 } as const;

function validated(
  endpoint: InferenceEndpoint,
  model: ModelConfig,
  body: Obj,
  facts: Pick<GenerationFacts, 'stream' | 'includeUsage' | 'n'>,
  budget: TokenBudget,
): ValidatedRequest {
  return {
    endpoint,
    model,
    body,
    stream: facts.stream,
    includeUsage: facts.includeUsage,
    promptTokens: budget.promptTokens,
    maxOutputTokens: budget.maxOutputTokens,
    outputBound: budget.perCompletion,
    n: facts.n,
  };
}

/**
 * Names the model's config forwards to its engine (`extra_params`, or every name with
 * `forward_unknown_params`) are not unknown; they are sent on unchecked. The others are refused in
 * the words of the endpoint's generation of OpenAI's API (openai-wire.md §2 (n)): Chat Completions
 * (observed), Completions and Embeddings (the older stack, which the reference puts with Chat
 * Completions: "legacy Chat/Completions vs newer endpoints", §7) name one unknown name, or several
 * sorted and comma-separated, in "Unrecognized request argument(s) supplied" with code and param
 * null; the Responses API names the first as `unknown_parameter` with `param` set.
 */
function rejectUnknownParams(endpoint: InferenceEndpoint, body: Obj, known: ReadonlySet<string>, model: ModelConfig | undefined): void {
  if (model?.forward_unknown_params) return;
  const extra = model?.extra_params;
  let unknown: string[] | undefined;
  for (const key of Object.keys(body)) {
    if (!known.has(key) && !extra?.includes(key)) (unknown ??= []).push(key);
  }
  if (unknown === undefined) return;
  if (endpoint === 'responses') unknownParameter(unknown[0]!);
  if (unknown.length === 1) throw new ApiError('unrecognized_argument', { names: unknown[0]! });
  throw new ApiError('unrecognized_arguments', { names: unknown.sort().join(', ') });
}

/**
 * The configured model `name` (`model`, as looked up), if it serves `endpoint`. A model that
 * exists but serves another endpoint is told apart from an unknown one, in OpenAI's words: an
 * embedding model asked to generate is "not a chat model" (404, `param: model`), pointed at
 * /v1/embeddings; a chat model asked for embeddings is "not allowed to generate embeddings" (403).
 */
function findServingModel(endpoint: InferenceEndpoint, name: string, model: ModelConfig | undefined): ModelConfig {
  if (model === undefined) throw new ApiError('model_not_found', { model: name });
  const wanted = endpoint === 'embeddings' ? 'embedding' : 'chat';
  if (model.type === wanted) return model;
  if (endpoint === 'embeddings') throw new ApiError('embeddings_not_allowed');
  throw new ApiError('not_a_chat_model', { endpoint: `v1/${endpoint.replace('.', '/')}`, suggested: 'v1/embeddings' });
}
