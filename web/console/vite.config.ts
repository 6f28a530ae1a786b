import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// A production build into dist/, served by the gateway's admin API at `/` of the admin port.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
});
