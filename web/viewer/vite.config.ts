import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// A plain production build into dist/, which the gateway serves at / (services/gateway/src/web/).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Content-hashed names under assets/: the gateway caches them for good.
    assetsDir: 'assets',
  },
});
