import { randomUUID } from 'node:crypto'
import type { ImportPhase, ImportProgressListener } from './customerImport'
import { HqError } from './hqError'

/** What the console polls while a large customer file is imported: where it is, then how it ended. */
export interface ImportJobView {
  jobId: string
  state: 'running' | 'done'
  phase: ImportPhase
  done: number
  total: number
  result: { imported: number; updated: number } | null
}

interface Job {
  owner: string
  view: ImportJobView
  failed: boolean
  error: unknown
  finishedAt: number | null
}

/** A finished job is kept this long for its last poll, then forgotten. */
const KEPT_MS = 10 * 60 * 1000

/**
 * The console's customer imports, run in the background so the page can show a progress bar: a POST
 * starts one and answers with its id at once; GETs read its progress (only the HQ person who started
 * it may). A failed import answers the poll with the import's own error (e.g. CSV_INVALID with the
 * problems by line), so the page shows it exactly as the one-call import does. Kept in memory: an
 * import is one transaction, so a job lost to a restart left nothing half-written.
 */
export class ImportJobs {
  private readonly jobs = new Map<string, Job>()

  constructor(private readonly clock: () => number = Date.now) {}

  start(
    owner: string,
    run: (onProgress: ImportProgressListener) => Promise<{ imported: number; updated: number }>,
  ): { jobId: string } {
    this.forgetOld()
    // One import at a time per person: a second click would only queue behind the first's transaction.
    for (const job of this.jobs.values())
      if (job.owner === owner && job.view.state === 'running' && !job.failed)
        throw new HqError('IMPORT_RUNNING', 'an import of yours is still running')
    const jobId = randomUUID()
    const job: Job = {
      owner,
      view: { jobId, state: 'running', phase: 'checking', done: 0, total: 0, result: null },
      failed: false,
      error: null,
      finishedAt: null,
    }
    this.jobs.set(jobId, job)
    run((p) => {
      job.view = { ...job.view, phase: p.phase, done: p.done, total: p.total }
    }).then(
      (result) => {
        job.view = { ...job.view, state: 'done', phase: 'done', done: job.view.total, result }
        job.finishedAt = this.clock()
      },
      (e: unknown) => {
        job.failed = true
        job.error = e
        job.finishedAt = this.clock()
      },
    )
    return { jobId }
  }

  /** The job's progress; a failed job throws its error once and is then forgotten. */
  view(owner: string, jobId: string): ImportJobView {
    this.forgetOld()
    const job = this.jobs.get(jobId)
    if (!job || job.owner !== owner) throw new HqError('NOT_FOUND', 'no such import')
    if (job.failed) {
      this.jobs.delete(jobId)
      throw job.error
    }
    return job.view
  }

  private forgetOld(): void {
    const now = this.clock()
    for (const [id, job] of this.jobs)
      if (job.finishedAt !== null && now - job.finishedAt > KEPT_MS) this.jobs.delete(id)
  }
}
