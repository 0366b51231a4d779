import type { Knex } from 'knex'
import type { ApprovalInput } from '../../shared/contract'
import type { TokenState } from '../../shared/domain'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import type { ApprovalService } from './approvals'
import type { AuditLog } from './audit'
import type { LocalMutations } from '../sync/localMutations'
import type { Session } from './sessions'

function toItem(r: {
  serial: string
  state: string
  algorithm: string
  digits: number
  received_on: string
}) {
  return {
    serial: r.serial,
    state: r.state as TokenState,
    algorithm: r.algorithm as 'hotp' | 'totp',
    digits: r.digits,
    receivedOn: r.received_on,
  }
}

/** The branch's hard-token stock. Seeds never leave this service's database rows. */
export class StockService {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly mutations: LocalMutations,
    private readonly approvals: ApprovalService,
  ) {}

  async list(session: Session, filter: { state?: TokenState; serialPrefix?: string }) {
    const q = this.db('inventory')
      .where({ branch_code: session.branchCode })
      .select('serial', 'state', 'algorithm', 'digits', 'received_on')
      .orderBy([{ column: 'received_on', order: 'desc' }, { column: 'serial' }])
    if (filter.state) q.where({ state: filter.state })
    if (filter.serialPrefix) q.where('serial', 'like', `${filter.serialPrefix.replace(/[%_\\]/g, '')}%`)
    const counts = await this.db('inventory')
      .where({ branch_code: session.branchCode })
      .select('state')
      .count<{ state: string; n: number }[]>({ n: '*' })
      .groupBy('state')
    return {
      items: (await q).map(toItem),
      counts: Object.fromEntries(counts.map((c) => [c.state, Number(c.n)])),
    }
  }

  /** 不良 write-off of a device in stock: supervisor approval and a reason. */
  async writeOff(session: Session, input: { serial: string; reason: string; approval: ApprovalInput }) {
    await this.loadInStock(this.db, session, input.serial)
    const approval = await this.approvals.verify(
      input.approval,
      session.staffId,
      session.branchCode,
      'inventory.write_off',
    )
    return this.db.transaction(async (trx) => {
      const before = await this.loadInStock(trx, session, input.serial)
      await this.approvals.consume(trx, approval)
      await this.mutations.commit(
        trx,
        'inventory.write_off',
        { serial: input.serial, reason: input.reason, checker: approval.checker },
        session.staffId,
        { cif: null },
      )
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'inventory.write_off',
        entity: 'inventory',
        entityKey: input.serial,
        before: { state: before.state },
        after: { state: 'defective', reason: input.reason, checker: approval.checker },
      })
      return toItem({ ...before, state: 'defective' })
    })
  }

  private async loadInStock(db: Knex | Knex.Transaction, session: Session, serial: string) {
    const row = await db('inventory').where({ serial, branch_code: session.branchCode }).first()
    if (!row) throw new DomainError('NOT_IN_STOCK', `serial ${serial} is not in this branch's stock`)
    if (row.state !== 'in_stock')
      throw new DomainError('NOT_IN_STOCK', `serial ${serial} is ${row.state}, not in stock`)
    return row
  }
}
