/** `tollgate simulate --help` lists exactly the faults the simulator accepts, and nothing else. */
import { CATALOG } from '@tollgate/protocol';
import { describe, expect, it } from 'vitest';
import { SIMULATE } from '../../src/cli/gateway-commands.js';
import { commandHelp } from '../../src/cli/help.js';
import { parseFault } from 'tollgate';

describe('tollgate simulate --help', () => {
  const help = commandHelp(SIMULATE);
  const listed = help
    .slice(help.indexOf('Error ids'))
    .split('\n')
    .slice(1)
    .join(' ')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

  it('lists every catalog error id, each of which the simulator accepts as a fault', () => {
    expect(listed.sort()).toEqual(CATALOG.map((e) => e.id).sort());
    for (const id of listed) {
      expect(parseFault(id)).toEqual({ kind: 'error', id, afterChunks: null });
      expect(parseFault(`${id}@2`)).toEqual({ kind: 'error', id, afterChunks: 2 });
    }
  });

  it('the transport faults it names exist too', () => {
    const named = [...help.matchAll(/^ {2}([a-z]+)\[@<n>\]/gm)].map((m) => m[1]!);
    expect(named).toEqual(['stall', 'disconnect']);
    for (const f of named) expect(parseFault(`${f}@3`)).toEqual({ kind: f, afterChunks: 3 });
  });
});
