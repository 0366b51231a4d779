import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

export default defineConfig({
  main: {
    build: {
      // Packages stay in node_modules rather than in the bundle: the `dependencies`, which the installer
      // packs, and the browser-mode bridge's Fastify, a devDependency (the bridge is no part of the
      // installed app; test/unit/packaging.test.ts checks index.js needs only `dependencies`).
      externalizeDeps: { include: ['fastify', '@fastify/static'] },
      rollupOptions: {
        // index: the Electron shell; bridge-cli: the same services over HTTP for browser mode.
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          'bridge-cli': resolve(__dirname, 'src/main/bridge/cli.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        // A sandboxed preload must be CommonJS: Electron refuses an ESM preload with sandbox: true.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [
      vue(),
      // Element Plus parts are imported where a template uses them (with their own CSS), not registered
      // whole: the first screen loads only what it shows.
      Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
    ],
    build: {
      // electron-vite leaves the renderer unminified by default; the counter PC parses every byte at start.
      minify: 'esbuild',
      rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') },
    },
  },
})
