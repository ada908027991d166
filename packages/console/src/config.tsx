/** GET /console/api/config (public): whether SSO is on and whether the first owner is still to be set up. */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api } from './lib/api';

export interface ConsoleConfig {
  base_path: string;
  oidc: { enabled: boolean; name: string };
  setup_required: boolean;
}

const ConfigContext = createContext<ConsoleConfig | undefined>(undefined);

export function ConfigProvider({ children }: { children: ReactNode }) {
  const [config, setConfig] = useState<ConsoleConfig>();
  useEffect(() => {
    // Without it the console still works: no SSO button, no setup hint.
    api<ConsoleConfig>('GET', 'console/api/config').then(setConfig, () => undefined);
  }, []);
  return <ConfigContext.Provider value={config}>{children}</ConfigContext.Provider>;
}

export const useConfig = (): ConsoleConfig | undefined => useContext(ConfigContext);
