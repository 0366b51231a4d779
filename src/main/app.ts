import { systemClock, type Clock } from './clock'
import { checkIntegrity, CorruptDatabaseError, openDb, type Db } from './db/connection'
import { migrateWithBackup } from './db/backup'
import { seedDemo } from './demo/seedDemo'
import { DataKeyLostError, type KeyStore } from '../core/security/keyStore'
import { SecretBox } from '../core/security/secretBox'
import { AuditLog } from './services/audit'
import { ApprovalService } from './services/approvals'
import { AuthService } from './services/auth'
import { Connectivity } from './services/connectivity'
import { IssuanceService } from './services/issuance'
import { LedgerService } from './services/ledger'
import { Outbox } from './services/outbox'
import { RevocationService } from './services/revocations'
import { StockService } from './services/stock'
import { SyncClient } from './sync/client'
import { LocalMutations } from './sync/localMutations'
import { SyncScheduler } from './sync/scheduler'
import { SyncService } from './sync/syncService'
import { CustomerService } from './services/customers'
import { SessionTable } from './services/sessions'
import { SettingsService } from './services/settings'
// Reports, printing, logs and the about screen (issue 12b).
import { AboutService } from './services/about'
import { ReportService } from './services/reports'
import { WorkstationSettingsService } from './services/workstationSettings'
import { PrintService, type PrintPort } from './printing/printService'
// The backup folder setting (issue 12, h12).
import { premigrationFolder } from './db/backupFolder'
import { BackupService } from './services/backups'
// A data key that cannot be used: the screen that starts the PC anew.
import { dataKeyFitsDatabase } from './security/dataKeyCheck'
import { KeyRecovery } from './services/keyRecovery'

export interface AppOptions {
  dbFile: string
  keyStore: KeyStore
  clock?: Clock
  /** Where central lives; used by the sync issue. */
  centralUrl?: string
  /** Create the demo bank when the database is empty. */
  demo?: boolean
  /** Fix the idle lock (browser mode and tests); otherwise the admin's setting applies. */
  idleLockSeconds?: number
  /** Run the sync scheduler (default true); tests drive `syncClient.syncOnce()` themselves. */
  startSync?: boolean
  /** Desktop or browser mode, for the about screen and the support logs. */
  shell?: { kind: 'desktop' | 'browser'; runtime: string }
  /** Where the rotating log files are (support logs are read from here). */
  logDirectory?: string
  /** The desktop app's printing (Electron's webContents); browser mode has none and uses window.print. */
  printPort?: PrintPort
  /** Where "PDFで保存" writes its files unless 端末設定 names another folder. */
  pdfDirectory?: string
  /** Take the daily backup (the shells do; tests call src/main/db/backup.ts themselves). */
  dailyBackups?: boolean
  /**
   * The HTTP client for central: Node's fetch by default; the desktop app passes Electron's net.fetch
   * (Chromium's network stack: the Windows certificate store and the system proxy). Tests cut one PC
   * of a branch off with it.
   */
  fetch?: typeof fetch
  /**
   * After a PC whose data key was lost has moved its database aside: the shell opens a new, empty
   * database in its place (端末の初期設定). Without it the files are moved and nothing is opened.
   */
  reopen?: () => Promise<void>
}

export interface Services {
  db: Db
  clock: Clock
  sessions: SessionTable
  audit: AuditLog
  settings: SettingsService
  auth: AuthService
  customers: CustomerService
  connectivity: Connectivity
  approvals: ApprovalService
  stock: StockService
  issuance: IssuanceService
  ledger: LedgerService
  revocations: RevocationService
  outbox: Outbox
  mutations: LocalMutations
  syncClient: SyncClient
  sync: SyncService
  reports: ReportService
  workstation: WorkstationSettingsService
  printing: PrintService
  about: AboutService
  backups: BackupService
}

/** A ready app, or one whose database failed its check: it then only answers with that error. */
export type TokenDeskApp =
  | {
      state: 'ready'
      services: Services
      close(): Promise<void>
      /**
       * The full integrity check, run in the background after a quick check at start. If it fails the
       * app turns into the corrupt app (every channel answers DB_CORRUPT, the renderer shows its error
       * screen) and stops syncing. Closing the app stops the check ('stopped').
       */
      integrityChecked: Promise<'ok' | 'corrupt' | 'stopped'>
    }
  | { state: 'corrupt'; message: string; close(): Promise<void> }
  /** The data key cannot be used: only the screen that writes the unsent work out and starts anew. */
  | { state: 'keyLost'; message: string; recovery: KeyRecovery; close(): Promise<void> }

/** Reports, workstation settings, printing and the about screen: read-mostly services (issue 12b). */
function issue12bServices(db: ReturnType<typeof openDb>, clock: Clock, audit: AuditLog, options: AppOptions) {
  const workstation = new WorkstationSettingsService(db, audit, options.pdfDirectory ?? null)
  return {
    workstation,
    reports: new ReportService(db, clock, workstation),
    printing: new PrintService(options.printPort, () => workstation.pdfFolder(), clock),
    about: new AboutService(db, {
      shell: options.shell?.kind ?? 'browser',
      runtime: options.shell?.runtime ?? `Node ${process.versions.node}`,
      logDirectory: options.logDirectory ?? null,
    }),
  }
}

/** The composition root: builds every service. Nothing below this line imports 'electron'. */
export async function createApp(options: AppOptions): Promise<TokenDeskApp> {
  try {
    await checkIntegrity(options.dbFile, 'quick')
  } catch (e) {
    if (e instanceof CorruptDatabaseError) {
      return { state: 'corrupt', message: e.message, close: async () => {} }
    }
    throw e
  }
  const clock = options.clock ?? systemClock
  const db = openDb(options.dbFile)
  // A backup before any pending migration (issue 10: durability), into the folder a supervisor chose
  // (read before migrating; beside the database while there is no settings table yet, or when the
  // chosen folder cannot be written at this start).
  const beforeMigration = await premigrationFolder(db, options.dbFile, (problem, folder) =>
    console.error(
      `[token-desk] backup folder ${folder} unusable (${problem}); backing up beside the database`,
    ),
  )
  await migrateWithBackup(db, beforeMigration, clock)
  let dataKey: Buffer
  try {
    dataKey = await options.keyStore.dataKey()
    if (!(await dataKeyFitsDatabase(db, dataKey)))
      throw new DataKeyLostError(options.keyStore.file, 'mismatch')
  } catch (e) {
    if (!(e instanceof DataKeyLostError)) {
      await db.destroy()
      throw e
    }
    const recovery = new KeyRecovery(db, options.dbFile, e.file, e.reason, clock, options.reopen)
    return { state: 'keyLost', message: e.message, recovery, close: () => recovery.close() }
  }
  const secretBox = new SecretBox(dataKey)
  const audit = new AuditLog(clock)
  const sessions = new SessionTable()
  const settings = new SettingsService(db, audit, options.idleLockSeconds)
  const outbox = new Outbox(clock, secretBox)
  const mutations = new LocalMutations(clock, secretBox, outbox)
  const connectivity = new Connectivity(db, clock, options.centralUrl)
  const approvals = new ApprovalService(db, clock, audit, secretBox)
  const revocations = new RevocationService(db, clock, audit, mutations, approvals)
  const syncClient = new SyncClient(db, clock, secretBox, outbox, mutations, audit, options.fetch)
  const scheduler = new SyncScheduler(() => syncClient.syncOnce())
  const services: Services = {
    db,
    clock,
    sessions,
    audit,
    settings,
    auth: new AuthService(db, clock, audit, sessions, settings, mutations),
    customers: new CustomerService(db, clock),
    connectivity,
    approvals,
    stock: new StockService(db, clock, audit, mutations, approvals),
    issuance: new IssuanceService(
      db,
      clock,
      audit,
      mutations,
      approvals,
      secretBox,
      connectivity,
      syncClient,
    ),
    ledger: new LedgerService(db, clock, audit, mutations, approvals),
    revocations,
    outbox,
    mutations,
    syncClient,
    sync: new SyncService(db, clock, audit, outbox, mutations, syncClient, scheduler, connectivity),
    ...issue12bServices(db, clock, audit, options),
    backups: new BackupService(db, options.dbFile, clock, audit),
  }
  if (options.demo) await seedDemo(db, { clock, audit, secretBox })
  if (options.startSync !== false) {
    outbox.onAdded = (urgent) => scheduler.notifyChange(urgent)
    if (await syncClient.enrolled()) scheduler.start()
  }
  const stopBackups = options.dailyBackups
    ? services.backups.scheduleDaily((e) =>
        console.error(`[token-desk] the daily backup failed: ${(e as Error).name}`),
      )
    : async () => {}
  const stopCheck = new AbortController()
  const app: Extract<TokenDeskApp, { state: 'ready' }> = {
    state: 'ready',
    services,
    close: async () => {
      await scheduler.stop()
      await stopBackups()
      stopCheck.abort()
      await app.integrityChecked
      await services.customers.close()
      await db.destroy()
    },
    integrityChecked: checkIntegrity(options.dbFile, 'full', stopCheck.signal).then(
      () => (stopCheck.signal.aborted ? 'stopped' : 'ok'),
      (e: unknown) => {
        if (stopCheck.signal.aborted) return 'stopped'
        if (!(e instanceof CorruptDatabaseError)) throw e
        void scheduler.stop()
        // The same object the handler table holds: from now on it answers as the corrupt app does.
        Object.assign(app, { state: 'corrupt', message: e.message })
        return 'corrupt'
      },
    ),
  }
  return app
}
