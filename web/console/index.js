// Where the console's production build is (vite build): the gateway's admin API serves it.
import { fileURLToPath } from 'node:url';

export const consoleRoot = fileURLToPath(new URL('./dist/', import.meta.url));
