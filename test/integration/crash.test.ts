import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkIntegrity, openDb } from '../../src/main/db/connection'
import { verifyAuditChain } from '../../src/core/auditChain'
import { tempApp, type TempApp } from '../support/tempApp'

let app: TempApp | undefined
afterEach(async () => {
  await app?.close()
})

/** Runs the worker and kills it (SIGKILL) once it has issued `after` tokens plus a random few ms. */
function issueUntilKilled(dbFile: string, keyFile: string, after: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // node itself (not npx) so that SIGKILL hits the process doing the writing.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/crashWorker.ts', dbFile, keyFile],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    let err = ''
    let killed = false
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const issued = out.match(/issued \d+/g)?.length ?? 0
      if (!killed && issued >= after) {
        killed = true
        setTimeout(() => child.kill('SIGKILL'), delayMs)
      }
    })
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(out.match(/issued \d+/g)?.length ?? 0)
      else reject(new Error(`worker failed (${code}): ${err}`))
    })
  })
}

describe('a kill at any moment', () => {
  it.each([
    [2, 0],
    [2, 3],
    [3, 7],
    [1, 15],
  ])('leaves each issuance whole or absent (killed after %i issuances + %i ms)', async (after, delayMs) => {
    app = await tempApp()
    const { dbFile, dir } = app
    await app.services.db.destroy()
    app = { ...app, close: async () => {} }

    const reported = await issueUntilKilled(dbFile, join(dir, 'desk.key'), after, delayMs)
    await checkIntegrity(dbFile)
    const db = openDb(dbFile)
    try {
      const receipts = await db('receipts').pluck('receipt_no')
      const fees = await db('ledger_entries').where({ kind: 'fee' }).pluck('receipt_no')
      const outbox = (await db('outbox').where({ name: 'token.issue_hard' })).map(
        (r) => JSON.parse(r.args_json).fee.receiptNo,
      )
      const audits = (await db('audit').where({ action: 'token.issue_hard' })).map(
        (r) => JSON.parse(r.after_json).receiptNo,
      )
      const issuedCustomers = await db('customers')
        .where({ otp_status: 'token_issued' })
        .whereIn('cif', db('receipts').select('cif'))
      // Everything the worker reported as done is there; nothing is there in part.
      expect(receipts.length).toBeGreaterThanOrEqual(reported)
      expect(fees.sort()).toEqual(receipts.sort())
      expect(outbox.sort()).toEqual(receipts.sort())
      expect(audits.sort()).toEqual(receipts.sort())
      expect(issuedCustomers).toHaveLength(receipts.length)
      expect(
        await db('inventory').where({ state: 'issued' }).whereIn('serial', db('receipts').select('serial')),
      ).toHaveLength(receipts.length)
      expect(await db('outbox').pluck('id')).toEqual(Array.from({ length: receipts.length }, (_, i) => i + 1))
      expect(await verifyAuditChain(db, 'audit')).toMatchObject({ ok: true })
    } finally {
      await db.destroy()
    }
  })
})
