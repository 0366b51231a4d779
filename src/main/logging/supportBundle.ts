import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AboutInfo } from '../../shared/reports'
import { redactSecrets } from './redact'

/** Oldest first: token-desk.4.log … token-desk.1.log, then the live token-desk.log. */
function logOrder(name: string): number {
  const m = /\.(\d+)\.log$/.exec(name)
  return m ? -Number(m[1]) : 0
}

/**
 * "ログを保存（サポート用）": the app's log files in one text file, with every line redacted again
 * (older files may predate a rule) and a header saying which app and workstation they come from.
 */
export async function supportBundle(
  directory: string | null,
  about: AboutInfo,
  at: Date,
): Promise<{ fileName: string; content: string; files: number }> {
  const names = directory
    ? (await readdir(directory).catch(() => [] as string[]))
        .filter((n) => n.endsWith('.log'))
        .sort((a, b) => logOrder(a) - logOrder(b) || a.localeCompare(b))
    : []
  const header = [
    `Token Desk support logs`,
    `saved at: ${at.toISOString()}`,
    `version: ${about.version} (${about.shell}, ${about.runtime})`,
    `branch: ${about.branchCode ?? '-'} ${about.branchName ?? ''}`.trimEnd(),
    `workstation: ${about.workstationName ?? '-'} / client ${about.clientId ?? '-'}`,
    `central: ${about.centralUrl ? redactSecrets(about.centralUrl) : '-'}`,
    `files: ${names.length ? names.join(', ') : 'none'}`,
    '',
  ]
  const parts = [header.join('\r\n')]
  for (const name of names) {
    const text = await readFile(join(directory!, name), 'utf8')
    parts.push(`===== ${name} =====\r\n${redactSecrets(text)}`)
  }
  const stamp = at.toISOString().replace(/[-:]/g, '').slice(0, 15)
  return { fileName: `token-desk-logs-${stamp}.txt`, content: parts.join('\r\n'), files: names.length }
}
