import { MigrationFailedError } from '../db/backup'
import { OsKeyStoreUnavailableError } from './safeStorageKeyStore'

/** The window could not load the app's own page (a damaged install). */
export class ScreenLoadError extends Error {
  constructor(options: ErrorOptions) {
    super('the app’s page could not be loaded', options)
    this.name = 'ScreenLoadError'
  }
}

/** What a failed start shows (Japanese first, then English) and the exit code IT's scripts see. */
export interface StartFailure {
  exitCode: number
  title: string
  message: string
}

/** Exit codes of a failed start, so a deployment script or IT's monitoring can tell the causes apart. */
export const START_EXIT_CODES = {
  unexpected: 1,
  databaseInUse: 3,
  osKeyStore: 4,
  dataFolder: 5,
  migration: 6,
  screen: 7,
} as const

type Cause = keyof typeof START_EXIT_CODES

const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'EBUSY'])
const NO_WRITE = new Set([
  'ENOTDIR',
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOSPC',
  'SQLITE_CANTOPEN',
  'SQLITE_FULL',
  'SQLITE_READONLY',
])

function codesOf(error: unknown): string[] {
  const codes: string[] = []
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
  }
  return codes
}

function causeOf(error: unknown): Cause {
  if (error instanceof OsKeyStoreUnavailableError) return 'osKeyStore'
  if (error instanceof ScreenLoadError) return 'screen'
  const codes = codesOf(error)
  if (codes.some((c) => BUSY.has(c))) return 'databaseInUse'
  if (codes.some((c) => NO_WRITE.has(c))) return 'dataFolder'
  if (error instanceof MigrationFailedError) return 'migration'
  return 'unexpected'
}

const WHAT: Record<Cause, { ja: string; en: string }> = {
  unexpected: {
    ja: '予期しないエラーで起動を中止しました。',
    en: 'Start was stopped by an unexpected error.',
  },
  databaseInUse: {
    ja: 'この端末のデータベースを別のプログラム（復元作業、ウイルス対策ソフトなど）が使用しています。しばらく待ってから、もう一度起動してください。',
    en: 'Another program (a restore, antivirus software) is using this PC’s database. Wait a moment and start Token Desk again.',
  },
  osKeyStore: {
    ja: 'Windows のデータ保護機能（資格情報の保護）を利用できないため、データの鍵を開けません。データは変更していません。Windows にサインインし直してから起動してください。',
    en: 'The Windows data protection service is not available, so the data key cannot be opened. Nothing was changed. Sign in to Windows again and start Token Desk.',
  },
  dataFolder: {
    ja: 'データの保存先に書き込めません（ディスクの空き容量、またはフォルダーの権限を確認してください）。',
    en: 'The data folder cannot be written (check the free disk space and the folder’s permissions).',
  },
  migration: {
    ja: '更新後のデータベースの切り替えに失敗しました。データベースは更新前のまま残っています（更新前のバックアップもあります）。',
    en: 'The database could not be brought up to date after the update. It is unchanged (a backup was taken before the update).',
  },
  screen: {
    ja: '画面のファイルを読み込めませんでした。インストールが壊れている可能性があります。',
    en: 'The app’s screens could not be loaded. The installation may be damaged.',
  },
}

/** The words and exit code for a start that failed; `logFile` is where the details were written. */
export function describeStartFailure(error: unknown, logFile: string | null): StartFailure {
  const cause = causeOf(error)
  const what = WHAT[cause]
  const exitCode = START_EXIT_CODES[cause]
  const where = logFile ?? '—'
  return {
    exitCode,
    title: 'Token Desk を起動できません / Token Desk cannot start',
    message: [
      what.ja,
      `続く場合は、システム担当者に次の内容を伝えてください: 終了コード ${exitCode}、ログ ${where}`,
      '',
      what.en,
      `If it happens again, tell IT: exit code ${exitCode}, log ${where}`,
    ].join('\n'),
  }
}
