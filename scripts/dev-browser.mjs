// `npm run dev:browser -- [--db FILE] [--port N] [--demo] [--idle-lock-seconds N]`
// Builds the app, then serves the renderer and the main-process services over HTTP on 127.0.0.1:
// the way to try Token Desk where Electron's binary cannot run. Prints the URL to open.
import { spawn, spawnSync } from 'node:child_process'

const build = spawnSync('node_modules/.bin/electron-vite', ['build'], {
  stdio: ['ignore', 'ignore', 'inherit'],
})
if (build.status !== 0) {
  console.error('[dev:browser] the build failed')
  process.exit(1)
}
const server = spawn(process.execPath, ['out/main/bridge-cli.js', ...process.argv.slice(2)], {
  stdio: 'inherit',
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal))
server.on('exit', (code) => process.exit(code ?? 0))
