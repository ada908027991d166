// The console is served by the gateway at its public URL, which may have a path
// (https://host/llm/): every asset URL is relative (base './') and the app reads its base path
// from <base href>, so one build works under any sub-path. No inline script is emitted, so the
// gateway's CSP can say script-src 'self'.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The module preload polyfill is an inline script; every browser the console supports has it.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
});
