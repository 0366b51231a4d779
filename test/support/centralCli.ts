import { spawnSync } from 'node:child_process'

/** `npm run central -- …` as HQ runs it, with --json, against one central SQLite file and its key file. */
export function runCentralCli(dbFile: string, args: string[], stdin = '') {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/central/cli.ts',
      ...args,
      '--db',
      dbFile,
      '--key-file',
      `${dbFile}.key`,
      '--json',
    ],
    { input: stdin, encoding: 'utf8' },
  )
  const last = run.stdout.trim().split('\n').pop() ?? ''
  return {
    status: run.status,
    json: last.startsWith('{') || last.startsWith('[') ? JSON.parse(last) : null,
    stderr: run.stderr,
  }
}
