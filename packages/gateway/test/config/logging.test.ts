/** `logging.log_prompts` decides whether prompts reach the logs. */
import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../support/gateway.js';

describe('logging.log_prompts', () => {
  const SECRET_WORDS = 'the purple elephant sings at noon';

  async function chatAndLogs(logPrompts: boolean | undefined): Promise<{ logs: string; apiKey: string }> {
    const g = await startTestGateway(logPrompts === undefined ? {} : { logging: { level: 'info', log_prompts: logPrompts } });
    try {
      const r = await fetch(`${g.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${g.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: SECRET_WORDS }], user: 'end-user-7' }),
      });
      expect(r.status).toBe(200);
      await r.text();
      return { logs: g.logs(), apiKey: g.apiKey };
    } finally {
      await g.close();
    }
  }

  it('off (the default): no prompt in the logs', async () => {
    for (const setting of [undefined, false]) {
      const { logs } = await chatAndLogs(setting);
      expect(logs).not.toContain(SECRET_WORDS);
      expect(logs).not.toContain('"msg":"prompt"');
    }
  });

  it('on: one prompt line with the request id and model, never the key or the rest of the body', async () => {
    const { logs, apiKey } = await chatAndLogs(true);
    const lines = logs
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'prompt');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ model: 'sim-small', messages: [{ role: 'user', content: SECRET_WORDS }] });
    expect(lines[0]!.request_id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(logs).not.toContain(apiKey);
    expect(logs).not.toContain('end-user-7');
  });
});
