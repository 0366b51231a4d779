/**
 * A mutation refused by a rule of its own (SYNC-PROTOCOL.md: Push, step 4): final, recorded as
 * `rejected` with this code at central; at the branch, the counter service's error.
 */
export class Rejection extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'Rejection'
  }
}
