import type { Knex } from 'knex'
import type { WorkstationSettings } from '../../shared/reports'
import type { AuditLog } from './audit'
import type { Session } from './sessions'

/** Where each setting lives in the `settings` table (key → value as text). */
const KEYS = {
  receiptLayout: 'receipt_layout',
  printerName: 'printer_name',
  lowStockThreshold: 'low_stock_threshold',
} as const

/** A branch PC prints receipts on an 80 mm printer unless the admin says A4; 10 tokens left is "low". */
export const DEFAULT_WORKSTATION_SETTINGS: WorkstationSettings = {
  receiptLayout: 'receipt80',
  printerName: '',
  lowStockThreshold: 10,
}

/** Printing and the low-stock mark: settings of this PC an admin changes on 端末設定. */
export class WorkstationSettingsService {
  constructor(
    private readonly db: Knex,
    private readonly audit: AuditLog,
  ) {}

  async get(): Promise<WorkstationSettings> {
    const rows = await this.db('settings').whereIn('key', Object.values(KEYS))
    const stored = new Map(rows.map((r) => [r.key as string, r.value as string]))
    const layout = stored.get(KEYS.receiptLayout)
    const threshold = stored.get(KEYS.lowStockThreshold)
    return {
      receiptLayout:
        layout === 'a4' || layout === 'receipt80' ? layout : DEFAULT_WORKSTATION_SETTINGS.receiptLayout,
      printerName: stored.get(KEYS.printerName) ?? DEFAULT_WORKSTATION_SETTINGS.printerName,
      lowStockThreshold:
        threshold !== undefined ? Number(threshold) : DEFAULT_WORKSTATION_SETTINGS.lowStockThreshold,
    }
  }

  /** Saves all three with one audit row (before and after) in one transaction. */
  async update(session: Session, input: WorkstationSettings): Promise<WorkstationSettings> {
    const before = await this.get()
    await this.db.transaction(async (trx) => {
      for (const [field, key] of Object.entries(KEYS) as [keyof WorkstationSettings, string][]) {
        await trx('settings')
          .insert({ key, value: String(input[field]) })
          .onConflict('key')
          .merge()
      }
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'settings.workstation',
        entity: 'settings',
        entityKey: 'workstation',
        before,
        after: input,
      })
    })
    return this.get()
  }
}
