/**
 * Command-line options: an option a command does not declare is a usage error that names it and,
 * when one is near, the declared option it most likely stands for. `incidents create` takes
 * `--component` while `maintenance schedule` takes `--components`: the slip between them was
 * answered `unknown option --components` and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { parseFlags, UsageError, valueFlag } from '../../src/cli/args.js';

const specs = {
  name: valueFlag('TEXT', 'the title'),
  component: valueFlag('NAME=STATUS,...', 'affected components'),
  json: { value: false, help: 'print JSON' },
  help: { value: false, help: 'show help' },
};

const refusal = (argv: string[]): string => {
  try {
    parseFlags(argv, specs);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('parseFlags accepted ' + argv.join(' '));
};

describe('an unknown option', () => {
  it('names the declared option it is a slip for', () => {
    expect(refusal(['--components', 'sim-large=partial_outage'])).toBe('unknown option --components; did you mean --component?');
    expect(refusal(['--nmae=x'])).toBe('unknown option --nmae; did you mean --name?');
    expect(refusal(['--JSON'])).toBe('unknown option --JSON; did you mean --json?');
  });

  it('is named alone when no declared option is near, or when it is a short option', () => {
    expect(refusal(['--project', 'proj_1'])).toBe('unknown option --project');
    expect(refusal(['-n', 'x'])).toBe('unknown option -n');
  });

  it('leaves declared options as they were', () => {
    const { flags, positionals } = parseFlags(['inc_1', '--component', 'a=b', '--json'], specs);
    expect(positionals).toEqual(['inc_1']);
    expect(Object.fromEntries(flags)).toEqual({ component: 'a=b', json: true });
  });
});
