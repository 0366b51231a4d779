/** Every service reads time from a Clock, so OTP windows, lockouts and idle locks are testable. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock that only moves when told to: for tests and benchmarks. */
export class FakeClock implements Clock {
  private ms: number

  constructor(start: Date | string = '2026-11-25T00:00:00Z') {
    this.ms = new Date(start).getTime()
  }

  now(): Date {
    return new Date(this.ms)
  }

  advance(ms: number): void {
    this.ms += ms
  }

  advanceMinutes(minutes: number): void {
    this.advance(minutes * 60_000)
  }

  set(at: Date | string): void {
    this.ms = new Date(at).getTime()
  }
}
