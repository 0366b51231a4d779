import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

/** The HQ console (src/console): its own entry, built into out/console and served by central at /console/. */
export default defineConfig({
  root: resolve(__dirname, 'src/console'),
  base: '/console/',
  plugins: [vue()],
  build: {
    outDir: resolve(__dirname, 'out/console'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
})
