/**
 * Progress of long work, the same shape everywhere: a report fetched month by month, a large import,
 * the first sync of a new PC. Screens show it with `ProgressPanel.vue`; command-line tools with
 * `progressLine`. `total` null means not known yet.
 */
export interface Progress {
  done: number
  total: number | null
  /** What is being done now, e.g. "2026-11" or "顧客 5,000件". */
  label?: string
}

export type ProgressListener = (progress: Progress) => void

/**
 * Passes progress on at most every `intervalMs` (a 100,000-row import would otherwise repaint or write
 * 100,000 times), but always the first report and the last (done === total), so the end is never missed.
 */
export function throttledProgress(
  listener: ProgressListener,
  intervalMs = 200,
  now: () => number = Date.now,
): ProgressListener {
  let last = -Infinity
  return (progress) => {
    const finished = progress.total !== null && progress.done >= progress.total
    const t = now()
    if (!finished && t - last < intervalMs) return
    last = t
    listener(progress)
  }
}

/** `[############------------------]  40% 4,000 / 10,000 顧客` for a terminal. */
export function progressLine(progress: Progress, width = 30): string {
  const label = progress.label ? ` ${progress.label}` : ''
  if (progress.total === null || progress.total <= 0) {
    return `[${'-'.repeat(width)}] ${progress.done.toLocaleString('en-US')}${label}`
  }
  const ratio = Math.min(1, Math.max(0, progress.done / progress.total))
  const filled = Math.round(ratio * width)
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent} ${progress.done.toLocaleString('en-US')} / ${progress.total.toLocaleString('en-US')}${label}`
}
