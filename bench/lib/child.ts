// Runs a benchmark part in a process of its own (its memory and its CPU are then its own) and returns
// the JSON it prints on stdout.
import { spawn } from 'node:child_process'

export function runTs<T>(file: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${file} exited with ${code}`))
      else resolve(JSON.parse(out) as T)
    })
  })
}
