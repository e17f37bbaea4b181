import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The orchestrator serves dist/ at `/` and the API on the same origin.
// In development, Vite proxies the API and the WebSocket to it.
const orchestrator = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': orchestrator,
      '/ws': { target: orchestrator, ws: true },
    },
  },
});
