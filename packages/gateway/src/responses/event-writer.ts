/**
 * Builds the typed event sequence of a streamed response from plain deltas (text, tool-call
 * starts and argument pieces, a finish reason, usage), in the order OpenAI sends it:
 *
 *   response.created, response.in_progress,
 *   per output item: response.output_item.added,
 *     message: response.content_part.added, response.output_text.delta…, response.output_text.done,
 *              response.content_part.done
 *     function call: response.function_call_arguments.delta…, response.function_call_arguments.done
 *   response.output_item.done, …, response.completed (or response.incomplete) with usage.
 *
 * An item is closed when the next one opens, so each item's events are contiguous. The writer
 * also keeps the response as assembled so far, for the final event and for `response.failed`.
 * @module
 */
import type { Usage } from '@tollgate/protocol';
import type { UsageDetails } from '../upstream/wire-usage.js';
import { newResponseId, responseUsage, type ResponseObject } from './response-object.js';

type Obj = Record<string, unknown>;
export type ResponseEvent = Obj & { type: string };

interface OpenMessage {
  kind: 'message';
  index: number;
  id: string;
  text: string;
}
interface OpenCall {
  kind: 'call';
  index: number;
  id: string;
  callId: string;
  name: string;
  args: string;
}

export class ResponseEventWriter {
  private seq = 0;
  private open: OpenMessage | OpenCall | undefined;
  /** Chat tool-call index → its output item, so that later pieces find their item. */
  private readonly calls = new Map<number, OpenCall>();
  private finishReason: string | null = null;
  private usage: Usage | undefined;
  private details: UsageDetails | undefined;

  constructor(readonly response: ResponseObject) {}

  start(): ResponseEvent[] {
    return [this.ev('response.created', { response: this.snapshot() }), this.ev('response.in_progress', { response: this.snapshot() })];
  }

  text(delta: string): ResponseEvent[] {
    if (delta.length === 0) return [];
    const out: ResponseEvent[] = [];
    let msg = this.open?.kind === 'message' ? this.open : undefined;
    if (!msg) {
      out.push(...this.close());
      msg = { kind: 'message', index: this.response.output.length, id: newResponseId('msg'), text: '' };
      this.open = msg;
      const item = { id: msg.id, type: 'message', status: 'in_progress', content: [], role: 'assistant' };
      this.response.output.push(item);
      out.push(this.ev('response.output_item.added', { output_index: msg.index, item: structuredClone(item) }));
      out.push(this.ev('response.content_part.added', { item_id: msg.id, output_index: msg.index, content_index: 0, part: textPart('') }));
    }
    msg.text += delta;
    out.push(this.ev('response.output_text.delta', { item_id: msg.id, output_index: msg.index, content_index: 0, delta, logprobs: [] }));
    return out;
  }

  /** A piece of chat tool call `index`: its start (id and name) and/or a piece of its arguments. */
  toolCall(index: number, piece: { id?: string; name?: string; arguments?: string }): ResponseEvent[] {
    const out: ResponseEvent[] = [];
    let call = this.calls.get(index);
    if (!call) {
      out.push(...this.close());
      call = { kind: 'call', index: this.response.output.length, id: newResponseId('fc'), callId: piece.id ?? newResponseId('call'), name: piece.name ?? '', args: '' };
      this.calls.set(index, call);
      this.open = call;
      const item = { id: call.id, type: 'function_call', status: 'in_progress', arguments: '', call_id: call.callId, name: call.name };
      this.response.output.push(item);
      out.push(this.ev('response.output_item.added', { output_index: call.index, item: structuredClone(item) }));
    } else if (piece.name && !call.name) {
      call.name = piece.name;
    }
    const delta = piece.arguments ?? '';
    if (delta.length > 0) {
      call.args += delta;
      out.push(this.ev('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta }));
    }
    return out;
  }

  finish(reason: string | null): void {
    if (reason) this.finishReason = reason;
  }

  /** The engine's usage: its totals and the detail counts it gave (cached, reasoning). */
  setUsage(u: Usage, details: UsageDetails): void {
    this.usage = u;
    this.details = details;
  }

  /** Closes the open item and ends with response.completed (response.incomplete when cut short). */
  complete(fallbackUsage: () => Usage): ResponseEvent[] {
    const r = this.response;
    const cut = this.finishReason === 'length' ? 'max_output_tokens' : this.finishReason === 'content_filter' ? 'content_filter' : null;
    // The item being generated when the answer was cut short is incomplete too, as OpenAI marks it.
    const out = this.close(cut ? 'incomplete' : 'completed');
    r.status = cut ? 'incomplete' : 'completed';
    if (cut) r.incomplete_details = { reason: cut };
    r.usage = this.usage ? responseUsage(this.usage, this.details) : responseUsage(fallbackUsage());
    out.push(this.ev(cut ? 'response.incomplete' : 'response.completed', { response: this.snapshot() }));
    return out;
  }

  /** Ends the open item, `completed` unless the answer was cut short in it. */
  private close(status: 'completed' | 'incomplete' = 'completed'): ResponseEvent[] {
    const o = this.open;
    if (!o) return [];
    this.open = undefined;
    if (o.kind === 'message') {
      const item = { id: o.id, type: 'message', status, content: [textPart(o.text)], role: 'assistant' };
      this.response.output[o.index] = item;
      return [
        this.ev('response.output_text.done', { item_id: o.id, output_index: o.index, content_index: 0, text: o.text, logprobs: [] }),
        this.ev('response.content_part.done', { item_id: o.id, output_index: o.index, content_index: 0, part: textPart(o.text) }),
        this.ev('response.output_item.done', { output_index: o.index, item: structuredClone(item) }),
      ];
    }
    const item = { id: o.id, type: 'function_call', status, arguments: o.args, call_id: o.callId, name: o.name };
    this.response.output[o.index] = item;
    return [
      this.ev('response.function_call_arguments.done', { item_id: o.id, output_index: o.index, name: o.name, arguments: o.args }),
      this.ev('response.output_item.done', { output_index: o.index, item: structuredClone(item) }),
    ];
  }

  private snapshot(): ResponseObject {
    return structuredClone(this.response);
  }

  private ev(type: string, fields: Obj): ResponseEvent {
    return { type, ...fields, sequence_number: this.seq++ };
  }
}

function textPart(text: string): Obj {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}
