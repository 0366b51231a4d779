import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Knex } from 'knex'
import type { DataKeyLoss } from '../../core/security/keyStore'
import type { KeyRecoveryStatus } from '../../shared/keyRecovery'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import { outboxExport } from '../sync/outboxExport'
import { carriesSecrets } from '../sync/problemSecrets'

/** Moves a file, also to another drive (where a rename cannot). */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e
    copyFileSync(from, to)
    rmSync(from)
  }
}

/**
 * A PC whose data key cannot be used any more. Its database still opens (only the sealed secrets need
 * the key), so the screen can say what is lost, write the unsent work to a file for HQ, and then start
 * the PC anew: the database and its key are moved aside (kept, not deleted: if the key ever opens again
 * IT can put them back), and the shell opens an empty database, where 端末の初期設定 enrols the PC with
 * a new code from HQ and brings the branch's customers, staff and stock back from central.
 */
export class KeyRecovery {
  private exportFile: string | null = null
  private closed = false
  private startingAnew = false

  constructor(
    private readonly db: Knex,
    private readonly dbFile: string,
    private readonly keyFile: string,
    readonly reason: DataKeyLoss,
    private readonly clock: Clock,
    /** Opens the new, empty database once the old one is moved aside (the shell's). */
    private readonly reopen: () => Promise<void> = async () => {},
  ) {}

  private get folder(): string {
    return dirname(this.dbFile)
  }

  async status(): Promise<KeyRecoveryStatus> {
    const names = (await this.db('outbox').select('name')) as { name: string }[]
    const state = await this.db('sync_state').where({ id: 1 }).first()
    const branch = await this.db('branches').first()
    return {
      reason: this.reason,
      unsent: names.length,
      credentialChanges: names.filter((r) => carriesSecrets(r.name)).length,
      branchCode: branch?.code ?? null,
      branchName: branch?.name ?? null,
      workstationNo: state?.workstation_no ?? null,
      workstationName: state?.workstation_name ?? null,
      lastSyncAt: state?.last_success_at ?? null,
      exportFile: this.exportFile,
      exportFolder: join(this.folder, 'exports'),
      retiredFolder: join(this.folder, 'retired'),
    }
  }

  /** Writes the unsent work to `exports/` in the data folder, in the format of 同期 › 書き出し. */
  async exportUnsent(): Promise<{ path: string; rows: number }> {
    const exported = await outboxExport(this.db, this.clock.now())
    const folder = join(this.folder, 'exports')
    mkdirSync(folder, { recursive: true })
    const path = join(folder, exported.fileName)
    writeFileSync(path, exported.content, { flag: 'wx' })
    this.exportFile = path
    return { path, rows: exported.rows }
  }

  /**
   * Moves the database and its key into `retired/<time>/` and opens an empty database in their place.
   * Refused while unsent work has not been written to a file on this screen: it exists nowhere else.
   */
  async reenrol(): Promise<{ retiredFolder: string }> {
    // Once, one at a time: a second press must not move files under the first (or under the database
    // it opened) nor open a second app on the new database.
    if (this.startingAnew || this.closed)
      throw new DomainError('CONFLICT', 'this PC is already being enrolled again')
    this.startingAnew = true
    try {
      return await this.startAnew()
    } finally {
      this.startingAnew = false
    }
  }

  private async startAnew(): Promise<{ retiredFolder: string }> {
    const { unsent } = await this.status()
    if (unsent > 0 && this.exportFile === null)
      throw new DomainError('CONFLICT', 'write the unsent work to a file before enrolling this PC again')
    await this.close()
    const stamp = this.clock
      .now()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}Z$/, 'Z')
    const retired = join(this.folder, 'retired', stamp)
    mkdirSync(retired, { recursive: true })
    for (const file of [this.dbFile, `${this.dbFile}-wal`, `${this.dbFile}-shm`, this.keyFile])
      if (existsSync(file)) moveFile(file, join(retired, basename(file)))
    await this.reopen()
    return { retiredFolder: retired }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.db.destroy()
  }
}
