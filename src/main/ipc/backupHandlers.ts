import type { Implementation } from './handlers'

/** 端末設定 › バックアップ (issue 12, h12): the folder, the newest backup, 「今すぐバックアップ」. */
export const backupHandlers: Pick<Implementation, 'backup.status' | 'backup.setFolder' | 'backup.now'> = {
  'backup.status': (s) => s.backups.status(),
  'backup.setFolder': (s, { session, input }) => s.backups.setFolder(session!, input.backupFolder),
  'backup.now': (s, { session }) => s.backups.backupNow(session!),
}
