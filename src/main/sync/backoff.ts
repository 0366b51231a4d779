/** Exponential backoff with full jitter (SYNC-PROTOCOL: 1 s doubling to 5 minutes). */
export const BACKOFF_BASE_MS = 1000
export const BACKOFF_CAP_MS = 5 * 60 * 1000

export function backoffDelay(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1))
  return Math.floor(random() * ceiling)
}
