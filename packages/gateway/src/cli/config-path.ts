import { existsSync } from 'node:fs';

/** --config, else TOLLGATE_CONFIG, else ./tollgate.yaml when present, else the built-in defaults (null). */
export function configPath(flag: string | undefined, env: Record<string, string | undefined>): string | null {
  if (flag) return flag;
  if (env.TOLLGATE_CONFIG) return env.TOLLGATE_CONFIG;
  return existsSync('tollgate.yaml') ? 'tollgate.yaml' : null;
}
