/**
 * How far a device's or authenticator's clock may be off: ±29 seconds (issue 10). A time-based code is
 * accepted when its time step overlaps [now − 29 s, now + 29 s]: the current step and at most one
 * neighbour, the one the skew reaches. A code from a step wholly outside that span is refused, so a
 * code read off a clock 30 s or more away from the step boundary no longer passes, as it did with a
 * blanket ±1 step.
 */
export const MAX_CLOCK_SKEW_SECONDS = 29

/** The first and last time step accepted at `nowMs` for steps of `periodSeconds`. */
export function acceptedSteps(
  nowMs: number,
  periodSeconds: number,
  skewSeconds = MAX_CLOCK_SKEW_SECONDS,
): { from: number; to: number } {
  const periodMs = periodSeconds * 1000
  return {
    from: Math.floor((nowMs - skewSeconds * 1000) / periodMs),
    to: Math.floor((nowMs + skewSeconds * 1000) / periodMs),
  }
}

/**
 * The one check every time-based code goes through (supervisors' approvals and enrolment, HQ sign-in,
 * hard tokens): the time step within the accepted span whose code `matchesAt` says matches, the
 * current step first, or null when none does. The caller decides what a step already used means.
 */
export function matchingTimeStep(
  nowMs: number,
  periodSeconds: number,
  matchesAt: (step: number) => boolean,
  skewSeconds = MAX_CLOCK_SKEW_SECONDS,
): number | null {
  const current = Math.floor(nowMs / (periodSeconds * 1000))
  const { from, to } = acceptedSteps(nowMs, periodSeconds, skewSeconds)
  const nearestFirst = [current, ...Array.from({ length: to - from + 1 }, (_, i) => from + i)]
  for (const step of new Set(nearestFirst)) {
    if (step >= from && step <= to && matchesAt(step)) return step
  }
  return null
}
