/** Runs the `tollgate` command line in this process, as the CLI tests do against a real gateway. */
import { runCli } from 'tollgate';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `cli(argv, env)` runs one command line with `baseEnv()` (read at each call) overlaid by `env`;
 * `json(argv)` adds --json and parses stdout, failing on a non-zero exit; `printed` holds every
 * stdout and stderr so far, in order.
 */
export function cliRunner(baseEnv: () => Record<string, string | undefined>, now?: () => number) {
  const printed: string[] = [];
  const cli = async (argv: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: { ...baseEnv(), ...env }, ...(now ? { now } : {}) });
    printed.push(stdout, stderr);
    return { code, stdout, stderr };
  };
  const json = async (argv: string[], env: Record<string, string | undefined> = {}): Promise<any> => {
    const r = await cli([...argv, '--json'], env);
    if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  return { cli, json, printed };
}
