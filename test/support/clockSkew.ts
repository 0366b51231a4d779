/**
 * The ±29 s rule's edge cases (issue 10), shared by every test of a time-based code. A device (hard token
 * or authenticator app) whose clock is `skewSeconds` ahead of the desk's (negative: behind) shows the code
 * of the step its own clock is in. Each case puts the device's clock at the edge of its step — the first
 * moment after a step boundary when it is ahead, the last moment before one when it is behind — so the
 * code is exactly `skewSeconds` away from the desk's clock at its nearest point: ±29 s is accepted and
 * ±30 s refused, where the old rule (±1 step) accepted codes up to 59 s away.
 */
export interface SkewCase {
  skewSeconds: number
  /** The device's clock (ms), at or just before a step boundary. */
  deviceMs: number
  /** The desk's (or central's) clock (ms) when the code is checked. */
  deskMs: number
  accepted: boolean
}

export function skewCases(boundaryMs: number): SkewCase[] {
  const ahead = (s: number) => ({ skewSeconds: s, deviceMs: boundaryMs, deskMs: boundaryMs - s * 1000 })
  const behind = (s: number) => ({
    skewSeconds: -s,
    deviceMs: boundaryMs - 1,
    deskMs: boundaryMs - 1 + s * 1000,
  })
  return [
    { ...ahead(28), accepted: true },
    { ...ahead(29), accepted: true },
    { ...ahead(30), accepted: false },
    { ...behind(28), accepted: true },
    { ...behind(29), accepted: true },
    { ...behind(30), accepted: false },
  ]
}

export const describeSkew = (c: SkewCase) =>
  `${c.skewSeconds > 0 ? '+' : '−'}${Math.abs(c.skewSeconds)} s → ${c.accepted ? 'accepted' : 'refused'}`
