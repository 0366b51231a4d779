import type { Knex } from 'knex'
import type { CustomerDetail, CustomerFile } from '../../shared/contract'
import type { AccountSubject, OtpStatus, TokenKind, TokenState } from '../../shared/domain'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import { kanaKey, looksLikeKana } from '../../core/domain/kana'
import { auditView } from '../../core/auditChain'
import { CustomerLookup, PAGE_SIZE, type SearchBy, type SearchCursor } from './customerLookup'
import { listReceipts } from './receiptRows'

/** A token is live while the customer's OTP status holds it (DOMAIN.md: at most one live token). */
const LIVE_FIRST = `CASE state WHEN 'revoked' THEN 1 WHEN 'defective' THEN 1 ELSE 0 END`
const STALE_AFTER_MS = 24 * 60 * 60 * 1000

/** 科目 as tellers type it: the kanji, the code digit, or our code word. */
const SUBJECTS: Record<string, AccountSubject> = {
  普通: 'futsu',
  '1': 'futsu',
  futsu: 'futsu',
  当座: 'toza',
  '2': 'toza',
  toza: 'toza',
  貯蓄: 'chochiku',
  '4': 'chochiku',
  chochiku: 'chochiku',
}

/** Works out what a teller typed into the one search box. */
export function classifyQuery(raw: string): { by: SearchBy; value: string } | null {
  const q = raw.normalize('NFKC').trim()
  if (/^\d{7}$/.test(q)) return { by: 'cif', value: q }
  const account = /^(\d{3})[-\s]?(普通|当座|貯蓄|[124]|futsu|toza|chochiku)[-\s]?(\d{7})$/i.exec(q)
  if (account)
    return { by: 'account', value: `${account[1]}-${SUBJECTS[account[2]!.toLowerCase()]}-${account[3]}` }
  if (/^0[\d\s-]{5,}$/.test(q)) return { by: 'phone', value: q.replace(/\D/g, '') }
  if (looksLikeKana(q)) return { by: 'kana', value: kanaKey(q) }
  return null
}

export class CustomerService {
  private readonly lookup: CustomerLookup

  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
  ) {
    this.lookup = new CustomerLookup(db)
  }

  /** One page of customers matching what the teller typed; `after` continues from the previous page. */
  async search(query: string, page: number, after?: SearchCursor) {
    const kind = classifyQuery(query)
    if (!kind) {
      throw new DomainError(
        'VALIDATION',
        'enter a CIF, an account (店番-科目-口座番号), a phone number or a kana name',
        {
          query: 'not recognised',
        },
      )
    }
    const found = await this.lookup.page(kind.by, kind.value, page, after)
    return {
      by: kind.by,
      total: found.total,
      totalIsLowerBound: found.totalIsLowerBound,
      next: found.next,
      page,
      pageSize: PAGE_SIZE,
      items: found.rows.map((r) => ({
        cif: r.cif,
        nameKanji: r.name_kanji,
        nameKana: r.name_kana,
        birthDate: r.birth_date,
        phone: r.phone,
        otpStatus: r.otp_status as OtpStatus,
      })),
    }
  }

  /** Closes the search's own read connection (the app closes the writer's). */
  close(): Promise<void> {
    return this.lookup.close()
  }

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

  /** Everything the counter shows about a customer, with how fresh the data is. */
  async file(cif: string): Promise<CustomerFile> {
    const detail = await this.getByCif(cif)
    const requests = await this.db('requests').where({ cif }).orderBy('created_at', 'desc')
    const audit = await this.db('audit')
      .where({ entity: 'customer', entity_key: cif })
      .orderBy('id', 'desc')
      .limit(100)
    const sync = await this.db('sync_state').where({ id: 1 }).first()
    const asOf: string | null = sync?.last_success_at ?? null
    return {
      ...detail,
      requests: requests.map((r) => ({
        id: r.id,
        kind: r.kind,
        state: r.state,
        maker: r.maker,
        checker: r.checker,
        createdAt: r.created_at,
        detail: r.detail_json ? JSON.parse(r.detail_json) : {},
      })),
      receipts: await listReceipts(this.db, { cif }),
      audit: audit.map(auditView),
      asOf,
      stale: asOf === null || this.clock.now().getTime() - new Date(asOf).getTime() > STALE_AFTER_MS,
    }
  }
}
