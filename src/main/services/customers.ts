import type { Knex } from 'knex'
import type { CustomerDetail } from '../../shared/contract'
import type { AccountSubject, OtpStatus, TokenKind, TokenState } from '../../shared/domain'
import { DomainError } from '../../shared/result'

/** A token is live while the customer's OTP status holds it (DOMAIN.md: at most one live token). */
const LIVE_FIRST = `CASE state WHEN 'revoked' THEN 1 WHEN 'defective' THEN 1 ELSE 0 END`

export class CustomerService {
  constructor(private readonly db: Knex) {}

  async getByCif(cif: string): Promise<CustomerDetail> {
    const c = await this.db('customers').where({ cif }).first()
    if (!c) throw new DomainError('NOT_FOUND', `no customer with CIF ${cif}`)
    const accounts = await this.db('accounts').where({ cif }).orderBy(['branch_code', 'subject', 'number'])
    const token = await this.db('tokens').where({ cif }).orderByRaw(LIVE_FIRST).orderBy('id', 'desc').first()
    return {
      cif: c.cif,
      nameKanji: c.name_kanji,
      nameKana: c.name_kana,
      birthDate: c.birth_date,
      phone: c.phone,
      homeBranch: c.home_branch,
      otpStatus: c.otp_status as OtpStatus,
      statusChangedAt: c.status_changed_at,
      token: token
        ? {
            kind: token.kind as TokenKind,
            serial: token.serial,
            state: token.state as TokenState,
            issuedAt: token.issued_at,
            activatedAt: token.activated_at,
          }
        : null,
      accounts: accounts.map((a) => ({
        branchCode: a.branch_code,
        subject: a.subject as AccountSubject,
        number: a.number,
      })),
    }
  }
}
