/**
 * Worker-thread entry of the PromptCounter: counts the prompts it is sent and answers with the
 * counts, so that tokenizing a large prompt never holds the gateway's event loop.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { countPrompt, type CountJob, type CountReply } from './count-job.js';

parentPort!.on('message', (job: CountJob & { id: number }) => {
  let reply: CountReply & { id: number };
  try {
    reply = { id: job.id, counts: job.prompts.map((p) => countPrompt(p, job.stopAbove)) };
  } catch (e) {
    reply = { id: job.id, error: (e as Error).message };
  }
  parentPort!.postMessage(reply);
});
