import type { Knex } from 'knex'
import {
  RECEIPT_PAGE_SIZES,
  type WorkstationSettings,
  type WorkstationSettingsView,
} from '../../shared/reports'
import { DomainError } from '../../shared/result'
import { BackupFolderRefused, checkBackupFolder } from '../db/backupFolder'
import type { AuditLog } from './audit'
import type { Session } from './sessions'

/** Where each setting lives in the `settings` table (key → value as text). */
const KEYS = {
  receiptLayout: 'receipt_layout',
  printerName: 'printer_name',
  lowStockThreshold: 'low_stock_threshold',
  pdfFolder: 'pdf_folder',
  receiptPageSize: 'receipt_page_size',
} as const satisfies Record<keyof WorkstationSettings, string>

/**
 * A branch PC prints receipts on an 80 mm printer on the layout's page unless the admin says otherwise;
 * PDFs go to the default folder; 10 tokens left is "low".
 */
export const DEFAULT_WORKSTATION_SETTINGS: WorkstationSettings = {
  receiptLayout: 'receipt80',
  printerName: '',
  lowStockThreshold: 10,
  pdfFolder: '',
  receiptPageSize: 'layout',
}

/**
 * A folder typed for PDFs, checked as a backup folder is (absolute, a folder, created if missing, a file
 * really written); a refusal is a VALIDATION error whose field names the problem (the screen words it).
 */
export function checkedPdfFolder(typed: string): string {
  try {
    return checkBackupFolder(typed)
  } catch (e) {
    if (e instanceof BackupFolderRefused)
      throw new DomainError('VALIDATION', e.message, { pdfFolder: e.problem })
    throw e
  }
}

/** Printing, PDFs and the low-stock mark: settings of this PC an admin changes on 端末設定. */
export class WorkstationSettingsService {
  constructor(
    private readonly db: Knex,
    private readonly audit: AuditLog,
    /** Where PDFs go when no folder is chosen (the shell's; none in browser mode, which has no PDFs). */
    private readonly defaultPdfFolder: string | null = null,
  ) {}

  async get(): Promise<WorkstationSettingsView> {
    return { ...(await this.stored()), defaultPdfFolder: this.defaultPdfFolder }
  }

  private async stored(): Promise<WorkstationSettings> {
    const rows = await this.db('settings').whereIn('key', Object.values(KEYS))
    const stored = new Map(rows.map((r) => [r.key as string, r.value as string]))
    const layout = stored.get(KEYS.receiptLayout)
    const threshold = stored.get(KEYS.lowStockThreshold)
    const pageSize = stored.get(KEYS.receiptPageSize)
    const d = DEFAULT_WORKSTATION_SETTINGS
    return {
      receiptLayout: layout === 'a4' || layout === 'receipt80' ? layout : d.receiptLayout,
      printerName: stored.get(KEYS.printerName) ?? d.printerName,
      lowStockThreshold: threshold !== undefined ? Number(threshold) : d.lowStockThreshold,
      pdfFolder: stored.get(KEYS.pdfFolder) ?? d.pdfFolder,
      receiptPageSize: RECEIPT_PAGE_SIZES.find((s) => s === pageSize) ?? d.receiptPageSize,
    }
  }

  /** The folder 「PDFで保存」 writes to now: the chosen one, else the default (null: none at all). */
  async pdfFolder(): Promise<string | null> {
    const { pdfFolder } = await this.stored()
    return pdfFolder || this.defaultPdfFolder
  }

  /**
   * Saves the settings given (one left out keeps its value) with one audit row (before and after) in one
   * transaction. A new PDF folder is checked first; a refused one changes nothing.
   */
  async update(session: Session, input: Partial<WorkstationSettings>): Promise<WorkstationSettingsView> {
    const before = await this.stored()
    const after: WorkstationSettings = { ...before, ...input }
    if (after.pdfFolder !== '' && after.pdfFolder !== before.pdfFolder)
      after.pdfFolder = checkedPdfFolder(after.pdfFolder)
    await this.db.transaction(async (trx) => {
      for (const [field, key] of Object.entries(KEYS) as [keyof WorkstationSettings, string][]) {
        await trx('settings')
          .insert({ key, value: String(after[field]) })
          .onConflict('key')
          .merge()
      }
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'settings.workstation',
        entity: 'settings',
        entityKey: 'workstation',
        before,
        after,
      })
    })
    return this.get()
  }
}
