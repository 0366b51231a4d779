import type { ImportPhase, ImportProgress, ImportProgressListener } from './customerImport'
import { progressLine } from '../shared/progress'

/** The words for each phase on HQ's terminal (the CLI speaks English, like its other messages). */
const PHASE_LABEL: Record<ImportPhase, string> = {
  checking: 'rows checked',
  writing: 'rows written',
  done: 'rows imported',
}

export interface TerminalLike {
  write(text: string): unknown
  isTTY?: boolean
}

/**
 * `customers import` progress on stderr (stdout keeps the result, and the JSON with --json). On a
 * terminal: one line redrawn in place, at most every `intervalMs`. Otherwise (a log file, CI): a line
 * at each `everyPercent` step of each phase, so a log shows how far a long import got without
 * thousands of lines. Either way the end of each phase is always written.
 */
export function cliImportProgress(
  out: TerminalLike,
  options: { everyPercent?: number; intervalMs?: number; now?: () => number } = {},
): { listener: ImportProgressListener; finish(): void } {
  const everyPercent = options.everyPercent ?? 10
  const intervalMs = options.intervalMs ?? 100
  const now = options.now ?? Date.now
  const line = (p: ImportProgress) => progressLine({ ...p, label: PHASE_LABEL[p.phase] })
  let drawn = false
  let lastAt = -Infinity
  let lastPhase: ImportPhase | null = null
  let lastStep = -1
  const listener: ImportProgressListener = (p) => {
    const newPhase = p.phase !== lastPhase
    if (out.isTTY) {
      const t = now()
      if (!newPhase && p.done < p.total && t - lastAt < intervalMs) return
      lastAt = t
      // A new phase starts on a new line, so the finished phase's line stays on screen.
      if (newPhase && drawn) out.write('\n')
      out.write(`\r${line(p)}\x1b[K`)
      drawn = true
    } else {
      const step = p.total > 0 ? Math.floor((p.done / p.total) * (100 / everyPercent)) : 0
      // The end of a phase is always its own step (100%), so it is never skipped.
      if (!newPhase && step === lastStep) return
      out.write(`${line(p)}\n`)
      lastStep = step
    }
    lastPhase = p.phase
  }
  return {
    listener,
    finish: () => {
      if (out.isTTY && drawn) out.write('\n')
      drawn = false
    },
  }
}
