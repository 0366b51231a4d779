import type { Knex } from 'knex'
import type { Clock } from '../clock'
import { kanaKey } from '../../core/domain/kana'
import { hashPassword } from '../../core/security/passwords'
import type { SecretBox } from '../../core/security/secretBox'
import type { AuditLog } from '../services/audit'
import { demoInventoryRows, demoTokenRows, generateDemoBank, type DemoBank } from '../../core/demo/generator'

/** Writes the demo bank into an empty database, in one transaction. Refuses a database that has staff. */
export async function seedDemo(
  db: Knex,
  deps: { clock: Clock; audit: AuditLog; secretBox: SecretBox },
  bank: DemoBank = generateDemoBank(),
): Promise<boolean> {
  const existing = await db('staff').count<{ n: number }[]>({ n: '*' })
  if (Number(existing[0]?.n) > 0) return false
  const now = deps.clock.now().toISOString()
  const hashes = await Promise.all(bank.staff.map((s) => hashPassword(s.password)))

  await db.transaction(async (trx) => {
    await trx('branches').insert(bank.branch)
    await trx('settings').insert({ key: 'bank_name', value: bank.bankName })
    await trx('staff').insert(
      bank.staff.map((s, i) => ({
        staff_id: s.staffId,
        branch_code: bank.branch.code,
        name: s.name,
        role: s.role,
        password_hash: hashes[i],
        // Demo supervisors come with an authenticator already enrolled (README lists the key).
        totp_secret_sealed: s.totpSecret
          ? deps.secretBox.seal(Buffer.from(s.totpSecret, 'utf8'), `totp:${s.staffId}`)
          : null,
        totp_enrolled_at: s.totpSecret ? now : null,
        updated_at: now,
      })),
    )
    const rows = bank.customers.map((c) => ({
      cif: c.cif,
      name_kanji: c.nameKanji,
      name_kana: c.nameKana,
      birth_date: c.birthDate,
      phone: c.phone,
      home_branch: c.homeBranch,
      name_kana_key: kanaKey(c.nameKana),
      phone_digits: c.phone.replace(/\D/g, ''),
      otp_status: c.otpStatus,
      status_changed_at: c.statusChangedAt,
      updated_at: now,
    }))
    await trx.batchInsert('customers', rows, 200).transacting(trx)
    const accounts = bank.customers.flatMap((c) =>
      c.accounts.map((a) => ({
        cif: c.cif,
        branch_code: a.branchCode,
        subject: a.subject,
        number: a.number,
      })),
    )
    await trx.batchInsert('accounts', accounts, 200).transacting(trx)
    // Token uids match the central demo bank (`npm run central -- demo`), so both sides name them alike.
    await trx.batchInsert('tokens', demoTokenRows(bank), 200).transacting(trx)
    const inventory = demoInventoryRows(bank, (seed, serial) =>
      deps.secretBox.seal(seed, `seed:${serial}`),
    ).map((row) => ({
      ...row,
      updated_at: now,
    }))
    await trx.batchInsert('inventory', inventory, 200).transacting(trx)
    await deps.audit.append(trx, {
      actor: 'system',
      action: 'demo.seed',
      entity: 'branch',
      entityKey: bank.branch.code,
      after: { customers: rows.length, stock: bank.stock.length, staff: bank.staff.length },
    })
  })
  return true
}
