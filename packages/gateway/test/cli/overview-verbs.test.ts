/**
 * The top-level help's line of each resource agrees with what the resource does: a line that
 * lists verbs lists every verb the resource has, and a command that runs here (the Gateway
 * section, whose lines say what the command does) and needs a verb names its verbs. The line of
 * `docs` said "print the error reference (Markdown)" while `tollgate docs` alone is a usage error.
 */
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { commandsOf, SECTIONS } from '../../src/cli/table.js';

/** The first word of each verb of `resource` (`projects users list` → users), in table order, once each. */
const verbsOf = (resource: string): string[] => [...new Set(commandsOf(resource).flatMap((c) => (c.verb ? [c.verb.split(' ')[0]!] : [])))];

/** The words of a line's final list: `… (a, b)` or `…: a, b`. */
function finalList(line: string): string[] | undefined {
  const m = /(?:\(|: )([a-z-]+(?:, [a-z-]+)*)\)?$/.exec(line);
  return m ? m[1]!.split(', ') : undefined;
}

const lines = SECTIONS.flatMap((s) => Object.entries(s.resources).map(([resource, line]) => ({ section: s.title, resource, line })));

describe('the top-level help', () => {
  it.each(lines)('$resource: a list that names a verb names them all', ({ resource, line }) => {
    const listed = finalList(line);
    const verbs = verbsOf(resource);
    if (listed?.some((w) => verbs.includes(w))) expect([...listed].sort()).toEqual([...verbs].sort());
  });

  it.each(lines.filter((l) => l.section === 'Gateway'))('$resource: a command that runs here names the verbs it needs', ({ resource, line }) => {
    const verbless = commandsOf(resource).some((c) => c.verb === undefined);
    if (!verbless) expect(finalList(line)).toEqual(verbsOf(resource));
  });

  it('docs names its verb, and `tollgate docs` alone says it is missing and shows it', async () => {
    expect(lines.find((l) => l.resource === 'docs')?.line).toMatch(/\(errors\)$/);
    let out = '';
    let err = '';
    const io: CliIo = { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} };
    expect(await runCli(['docs'], io)).toBe(2);
    expect(err).toContain('missing a verb for docs');
    expect(err).toMatch(/^ {2}errors +print the error reference/m);
    expect(out).toBe('');
  });
});
