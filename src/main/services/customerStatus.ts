import type { Knex } from 'knex'
import type { OtpStatus } from '../../shared/domain'

/** Moves a customer to another OTP status inside the caller's transaction (the rule is checked by the caller). */
export async function setOtpStatus(
  trx: Knex.Transaction,
  cif: string,
  status: OtpStatus,
  at: string,
  changedAt: string = at,
): Promise<void> {
  await trx('customers')
    .where({ cif })
    .update({ otp_status: status, status_changed_at: changedAt, updated_at: at })
}
