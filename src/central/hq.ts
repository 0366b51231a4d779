import type { Knex } from 'knex'
import { demoInventoryRows, demoTokenRows, generateDemoBank } from '../core/demo/generator'
import { verifyDeviceOtp } from '../core/domain/deviceOtp'
import { hashPassword } from '../core/security/passwords'
import type { SecretBox } from '../core/security/secretBox'
import { demoCoreAccountRows } from './coreBanking'
import { nextVersion, versionsFor } from './db'
import { CLI_ACTOR, requireHqRole, type HqActor } from './hqActor'
import { appendHqAudit } from './hqAudit'
import { addBranch } from './hqBranches'
import type { HqContext } from './hqContext'
import { importCustomerCsv } from './hqCustomers'
import type { ImportProgressListener } from './customerImport'
import { completeRevocation, rejectRevocation } from './hqRevocations'
import { seedDemoHqStaff } from './hqStaff'
import { allocateStock } from './hqStock'

/**
 * HQ operations behind `npm run central -- …` and the console. Each is one transaction that bumps the
 * global version and writes HQ's audit; each checks its caller (`actor`: the CLI unless `as(actor)`).
 * The capabilities live in hqRevocations, hqStock, hqBranches, hqCustomers and hqStaff.
 */
export class Hq {
  constructor(
    private readonly db: Knex,
    private readonly secretBox: SecretBox,
    private readonly now: () => Date = () => new Date(),
    readonly actor: HqActor = CLI_ACTOR,
  ) {}

  /** The same operations on behalf of a signed-in HQ person. */
  as(actor: HqActor): Hq {
    return new Hq(this.db, this.secretBox, this.now, actor)
  }

  context(): HqContext {
    return { db: this.db, secretBox: this.secretBox, actor: this.actor, now: this.now() }
  }

  addBranch(code: string, name: string) {
    return addBranch(this.context(), code, name)
  }

  importCustomers(csv: string, onProgress?: ImportProgressListener) {
    return importCustomerCsv(this.context(), csv, onProgress)
  }

  /** 利用開始 reported by internet banking: token_issued → in_use, the token active. */
  activateCustomer(cif: string) {
    requireHqRole(this.actor, ['hq_operator', 'hq_supervisor'])
    return this.db.transaction(async (trx) => {
      const customer = await trx('customers').where({ cif }).first()
      if (!customer) throw new Error(`no customer ${cif}`)
      if (customer.otp_status !== 'token_issued')
        throw new Error(`customer ${cif} is ${customer.otp_status}, not token_issued`)
      const version = await nextVersion(trx)
      const at = this.now().toISOString()
      await trx('customers').where({ cif }).update({ otp_status: 'in_use', status_changed_at: at, version })
      const token = await trx('tokens').where({ cif, state: 'issued' }).first()
      if (token) {
        await trx('tokens').where({ uid: token.uid }).update({ state: 'active', activated_at: at, version })
        if (token.serial)
          await trx('inventory').where({ serial: token.serial }).update({ state: 'active', version })
      }
      await appendHqAudit(trx, this.actor, this.now(), {
        action: 'customer.activate',
        entity: 'customer',
        entityKey: cif,
        before: { otpStatus: 'token_issued' },
        after: { otpStatus: 'in_use' },
      })
    })
  }

  /** Puts unallocated tokens (or the named serials) into a branch's stock; their seeds reach it on its next pull. */
  allocateTokens(branch: string, selection: { serials?: string[]; count?: number }) {
    return allocateStock(this.context(), branch, selection)
  }

  async listRevocations(state?: string) {
    requireHqRole(this.actor, ['hq_operator', 'hq_supervisor', 'hq_admin'])
    const q = this.db('requests').where({ kind: 'revocation' }).orderBy('id')
    if (state === 'pending') q.where({ state: 'awaiting_central' })
    else if (state) q.where({ state })
    return (await q).map((r) => ({
      id: r.id,
      cif: r.cif,
      branch: r.branch_code,
      state: r.state,
      maker: r.maker,
      checker: r.checker,
      ...JSON.parse(r.detail_json),
    }))
  }

  /** HQ completes a revocation: 利用解除済, the token revoked, a hard device unusable. */
  completeRevocation(id: string) {
    return completeRevocation(this.context(), id)
  }

  rejectRevocation(id: string, reason: string) {
    return rejectRevocation(this.context(), id, reason)
  }

  /** HQ's test of a customer's device: a used HOTP counter or TOTP step is not accepted twice. */
  verifyOtp(serial: string, otp: string, at: Date) {
    requireHqRole(this.actor, ['hq_operator', 'hq_supervisor'])
    return this.db.transaction(async (trx) => {
      const device = await trx('inventory').where({ serial }).first()
      if (!device?.seed_sealed) throw new Error(`no seed for ${serial}`)
      const seed = this.secretBox.open(device.seed_sealed, `seed:${serial}`)
      const verdict = verifyDeviceOtp(
        {
          algorithm: device.algorithm,
          digits: device.digits,
          period: device.period,
          counter: Number(device.counter),
          lastStep: device.last_step === null ? null : Number(device.last_step),
        },
        seed,
        otp,
        at,
      )
      if (!verdict.ok) return false
      await trx('inventory')
        .where({ serial })
        .update({ counter: verdict.counter, last_step: verdict.lastStep })
      return true
    })
  }

  /** Stock tokens with their seeds (sealed at rest), not yet allocated to a branch. */
  async addStockTokens(
    tokens: {
      serial: string
      algorithm: 'hotp' | 'totp'
      digits: number
      period: number | null
      counter?: number
      seed: Buffer
    }[],
  ) {
    requireHqRole(this.actor, ['hq_operator', 'hq_supervisor'])
    return this.db.transaction(async (trx) => {
      const existing = new Set<string>(
        await trx('inventory')
          .whereIn(
            'serial',
            tokens.map((t) => t.serial),
          )
          .pluck('serial'),
      )
      const fresh = tokens.filter((t) => !existing.has(t.serial))
      const version = await nextVersion(trx)
      for (const t of fresh) {
        await trx('inventory').insert({
          serial: t.serial,
          branch_code: null,
          state: 'in_stock',
          algorithm: t.algorithm,
          digits: t.digits,
          period: t.period,
          counter: t.counter ?? 0,
          seed_sealed: this.secretBox.seal(t.seed, `seed:${t.serial}`),
          version,
        })
      }
      await appendHqAudit(trx, this.actor, this.now(), {
        action: 'stock.import',
        entity: 'inventory',
        entityKey: fresh[0]?.serial ?? '-',
        after: { imported: fresh.length, serials: fresh.map((t) => t.serial) },
      })
      return { imported: fresh.length, duplicates: [...existing] }
    })
  }

  /** The demo bank matching `npm run dev:browser -- --demo`, so a demo branch can enrol and sync. */
  async demo(): Promise<{ customers: number; stock: number; hqStaff: string[] }> {
    requireHqRole(this.actor, ['hq_admin'])
    const bank = generateDemoBank()
    const hashes = await Promise.all(bank.staff.map((s) => hashPassword(s.password)))
    await this.db.transaction(async (trx) => {
      const tokens = demoTokenRows(bank)
      const inventory = demoInventoryRows(bank, (seed, serial) => this.secretBox.seal(seed, `seed:${serial}`))
      // Customers first, then their tokens, staff and stock: a pull pages them in this order.
      const version = await versionsFor(
        trx,
        1 + bank.customers.length + tokens.length + bank.staff.length + inventory.length,
      )
      let row = 0
      await trx('branches').insert({
        code: bank.branch.code,
        name: bank.branch.name,
        version: version(row++),
      })
      const customers = bank.customers.map((c) => ({
        cif: c.cif,
        branch_code: c.homeBranch,
        name_kanji: c.nameKanji,
        name_kana: c.nameKana,
        birth_date: c.birthDate,
        phone: c.phone,
        accounts_json: JSON.stringify(c.accounts),
        otp_status: c.otpStatus,
        status_changed_at: c.statusChangedAt,
        version: version(row++),
      }))
      await trx.batchInsert('customers', customers, 200).transacting(trx)
      await trx
        .batchInsert(
          'tokens',
          tokens.map((t) => ({ ...t, version: version(row++) })),
          200,
        )
        .transacting(trx)
      const staff = bank.staff.map((s, i) => ({
        staff_id: s.staffId,
        branch_code: bank.branch.code,
        name: s.name,
        role: s.role,
        password_hash: hashes[i],
        // The demo supervisors' published authenticator key, as at a demo branch PC.
        totp_secret_sealed: s.totpSecret
          ? this.secretBox.seal(Buffer.from(s.totpSecret, 'utf8'), `totp:${s.staffId}`)
          : null,
        totp_enrolled_at: s.totpSecret ? this.now().toISOString() : null,
        version: version(row++),
      }))
      await trx.batchInsert('staff', staff, 100).transacting(trx)
      await trx
        .batchInsert(
          'inventory',
          inventory.map((r) => ({ ...r, version: version(row++) })),
          200,
        )
        .transacting(trx)
      await trx.batchInsert('core_accounts', demoCoreAccountRows(bank.customers), 200).transacting(trx)
    })
    const hqStaff = await seedDemoHqStaff(this.db, this.secretBox, this.now())
    return { customers: bank.customers.length, stock: bank.stock.length, hqStaff }
  }
}
