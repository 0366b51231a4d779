// A vitest setup file: copies every console line and every write to stdout/stderr of the test worker
// into .tmp/log-capture/, so the global teardown (test/support/secretScanGlobal.ts) can scan all of
// them for secrets. The output itself is unchanged.
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { format } from 'node:util'

const dir = join(process.cwd(), '.tmp/log-capture')
mkdirSync(dir, { recursive: true })
const file = join(dir, `worker-${process.pid}.log`)
const keep = (text: string) => {
  try {
    appendFileSync(file, text.endsWith('\n') ? text : `${text}\n`)
  } catch {
    /* the capture must never break a test */
  }
}

// A worker may run several test files: patch once.
const marker = globalThis as { __tokenDeskLogCapture?: boolean }
if (!marker.__tokenDeskLogCapture) {
  marker.__tokenDeskLogCapture = true
  patch()
}

/* eslint-disable no-console -- this file wraps every console method, including info and debug */
function patch(): void {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level].bind(console)
    console[level] = (...args: unknown[]) => {
      keep(format(...args))
      original(...args)
    }
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as (...a: unknown[]) => boolean
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(
        typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk),
      )
      return original(chunk, ...rest)
    }) as typeof stream.write
  }
}
/* eslint-enable no-console */
