import type { Knex } from 'knex'
import packageJson from '../../../package.json'
import type { AboutInfo } from '../../shared/reports'

export interface AboutOptions {
  shell: 'desktop' | 'browser'
  /** e.g. "Electron 45.5.0" or "Node 20.19.0" */
  runtime: string
  logDirectory: string | null
}

/** バージョン情報: which build runs on which workstation, for the about screen and the support logs. */
export class AboutService {
  constructor(
    private readonly db: Knex,
    private readonly options: AboutOptions,
  ) {}

  async info(): Promise<AboutInfo> {
    const branch = await this.db('branches').first()
    const sync = await this.db('sync_state').where({ id: 1 }).first()
    // The workstation number and name central gave this PC at enrolment (issue 8's sync_state columns).
    const wsName: string | null = sync?.workstation_name ?? null
    const wsNo: string | null = sync?.workstation_no ?? null
    return {
      appName: 'Token Desk',
      version: packageJson.version,
      shell: this.options.shell,
      runtime: this.options.runtime,
      branchCode: branch?.code ?? null,
      branchName: branch?.name ?? null,
      workstationName: wsName && wsNo ? `${wsNo} ${wsName}` : (wsName ?? wsNo),
      clientId: sync?.client_id ?? null,
      centralUrl: sync?.central_url ?? null,
      logDirectory: this.options.logDirectory,
    }
  }
}
