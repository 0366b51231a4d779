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
