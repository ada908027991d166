/**
 * The output items of a Responses stream as far as its events have built them, for the
 * `response.failed` that ends a stream cut short: every item that was opened, with the text,
 * refusal, arguments and reasoning its deltas carried (the same deltas its usage counts), so the
 * failed response shows what the client was already sent. Items the stream finished are kept as
 * `output_item.done` gave them; the others are marked `incomplete`, as OpenAI marks an item cut
 * short.
 * @module
 */

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

export class PartialOutput {
  private readonly items = new Map<number, { item: Obj; done: boolean }>();

  /** Takes one event of the stream (events that build no output are ignored). */
  apply(ev: Obj): void {
    const index = ev.output_index;
    if (typeof index !== 'number') return;
    switch (ev.type) {
      case 'response.output_item.added':
      case 'response.output_item.done':
        if (isObj(ev.item)) this.items.set(index, { item: structuredClone(ev.item), done: ev.type === 'response.output_item.done' });
        return;
      case 'response.content_part.added':
      case 'response.content_part.done':
        this.setPart(index, 'content', ev.content_index, ev.part);
        return;
      case 'response.reasoning_summary_part.added':
      case 'response.reasoning_summary_part.done':
        this.setPart(index, 'summary', ev.summary_index, ev.part);
        return;
      case 'response.output_text.delta':
      case 'response.reasoning_text.delta':
        this.append(this.part(index, 'content', ev.content_index), 'text', ev.delta);
        return;
      case 'response.refusal.delta':
        this.append(this.part(index, 'content', ev.content_index), 'refusal', ev.delta);
        return;
      case 'response.reasoning_summary_text.delta':
        this.append(this.part(index, 'summary', ev.summary_index), 'text', ev.delta);
        return;
      case 'response.function_call_arguments.delta':
        this.append(this.open(index), 'arguments', ev.delta);
        return;
    }
  }

  /** The items in output order; those not finished are `incomplete`. */
  output(): Obj[] {
    return [...this.items.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => (e.done ? e.item : { ...e.item, status: 'incomplete' }));
  }

  /** An item still being built (a finished one is final as `output_item.done` gave it). */
  private open(index: number): Obj | undefined {
    const e = this.items.get(index);
    return e && !e.done ? e.item : undefined;
  }

  private part(index: number, list: 'content' | 'summary', at: unknown): Obj | undefined {
    const parts = this.open(index)?.[list];
    const p = Array.isArray(parts) && typeof at === 'number' ? (parts[at] as unknown) : undefined;
    return isObj(p) ? p : undefined;
  }

  private setPart(index: number, list: 'content' | 'summary', at: unknown, part: unknown): void {
    const item = this.open(index);
    if (!item || typeof at !== 'number' || !isObj(part)) return;
    let parts = item[list];
    if (!Array.isArray(parts)) item[list] = parts = [];
    (parts as unknown[])[at] = structuredClone(part);
  }

  private append(target: Obj | undefined, field: string, delta: unknown): void {
    if (!target || typeof delta !== 'string') return;
    target[field] = (typeof target[field] === 'string' ? target[field] : '') + delta;
  }
}
