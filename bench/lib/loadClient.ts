// The 200 counter PCs of the load benchmark, in a process of their own (so central's process measures
// only central): each PC pushes one revocation request (or nothing, once its customers run out) and then
// pulls, every `periodMs`, starting at a random offset. Prints the latencies as JSON on stdout.
import { readFileSync } from 'node:fs'
import { SCHEMA_VERSION } from '../../src/shared/syncProtocol'

export interface LoadPc {
  clientId: string
  auth: string
  actor: string
  cifs: string[]
}
export interface LoadConfig {
  url: string
  cookie: number
  pcs: LoadPc[]
  /** One phase after another: every PC cycles each `periodMs` for `seconds`. */
  phases: { pcs: number; periodMs: number; seconds: number }[]
  /**
   * The ramp ends after this many phases in a row whose p99 passed `p99LimitMs` (the phases after them
   * would only pile more work on a central already past the target). None: every phase runs.
   */
  stopAfterMisses?: number
  p99LimitMs?: number
  /** The index of the ramp's first phase: the phases before it always run. */
  rampFrom?: number
}
export interface PhaseResult {
  pcs: number
  periodMs: number
  pushes: number
  seconds: number
  push: number[]
  pull: number[]
  errors: number
  /** The phase's wall-clock bounds (Date.now()), so central's process can cut its own timings by phase. */
  startedAt: number
  endedAt: number
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadConfig
  const state = config.pcs.map((pc) => ({ ...pc, nextId: 1, cookie: config.cookie }))
  const results: PhaseResult[] = []
  let misses = 0
  for (const [index, phase] of config.phases.entries()) {
    if (config.stopAfterMisses && misses >= config.stopAfterMisses) break
    const result: PhaseResult = {
      ...phase,
      pushes: 0,
      push: [],
      pull: [],
      errors: 0,
      startedAt: Date.now(),
      endedAt: 0,
    }
    const started = performance.now()
    const end = started + phase.seconds * 1000
    const post = async (pc: (typeof state)[number], path: string, body: unknown, into: number[]) => {
      const start = performance.now()
      try {
        const res = await fetch(`${config.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: pc.auth },
          body: JSON.stringify(body),
        })
        const json = (await res.json()) as { cookie?: number; results?: { status: string }[] }
        if (!res.ok) result.errors++
        else into.push(performance.now() - start)
        return json
      } catch {
        result.errors++
        return {}
      }
    }
    const cycle = async (pc: (typeof state)[number]) => {
      const cif = pc.cifs.pop()
      const mutations = cif
        ? [
            {
              id: pc.nextId++,
              name: 'revocation.request',
              args: {
                requestId: crypto.randomUUID(),
                cif,
                tokenUid: null,
                channel: 'in_person',
                reason: 'unneeded',
                identity: { kind: 'passport', last4: '1234' },
              },
              createdAt: new Date().toISOString(),
              actor: pc.actor,
            },
          ]
        : []
      const pushed = await post(
        pc,
        '/v1/sync/push',
        { clientId: pc.clientId, schemaVersion: SCHEMA_VERSION, mutations },
        result.push,
      )
      result.pushes++
      // A refused mutation would make the figure meaningless: it counts as an error.
      if (pushed.results?.some((r) => r.status === 'rejected')) result.errors++
      const pulled = await post(
        pc,
        '/v1/sync/pull',
        { clientId: pc.clientId, cookie: pc.cookie },
        result.pull,
      )
      if (typeof pulled.cookie === 'number') pc.cookie = pulled.cookie
    }
    await Promise.all(
      state.slice(0, phase.pcs).map(async (pc) => {
        // A random start spreads the PCs over the period, as real PCs started at different times.
        let next = performance.now() + Math.random() * phase.periodMs
        while (next < end) {
          await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())))
          await cycle(pc)
          next += phase.periodMs
        }
      }),
    )
    // The rate achieved: PCs that fell behind finish their late cycles after the phase's nominal end.
    result.seconds = (performance.now() - started) / 1000
    result.endedAt = Date.now()
    results.push(result)
    const all = [...result.push, ...result.pull].sort((a, b) => a - b)
    const p99 = all[Math.max(0, Math.ceil(0.99 * all.length) - 1)] ?? Infinity
    if (index < (config.rampFrom ?? 0)) continue
    if (config.p99LimitMs !== undefined && (p99 > config.p99LimitMs || result.errors > 0)) misses++
    else misses = 0
  }
  process.stdout.write(JSON.stringify(results))
}

void main()
