import type { Knex } from 'knex'
import type { Clock } from '../clock'
import { kanaKey } from '../domain/kana'
import { hashPassword } from '../security/passwords'
import type { SecretBox } from '../security/secretBox'
import type { AuditLog } from '../services/audit'
import { generateDemoBank, type DemoBank } from './generator'

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
    const tokens = bank.customers.flatMap((c, ci) =>
      c.tokens.map((t, ti) => ({
        uid: `demo-${ci}-${ti}`,
        cif: c.cif,
        kind: t.kind,
        serial: t.serial,
        state: t.state,
        issued_at: t.issuedAt,
        activated_at: t.activatedAt,
        revoked_at: t.revokedAt,
      })),
    )
    await trx.batchInsert('tokens', tokens, 200).transacting(trx)
    // Hard tokens already with customers are in the branch's inventory too, their seeds long deleted.
    const handedOver = tokens
      .filter((t) => t.kind === 'hard' && t.serial)
      .map((t) => ({
        serial: t.serial,
        branch_code: bank.branch.code,
        state: t.state,
        algorithm: 'totp',
        digits: 8,
        period: 30,
        counter: 0,
        seed_sealed: null,
        received_on: t.issued_at!.slice(0, 10),
        updated_at: now,
      }))
    const inStock = bank.stock.map((s) => ({
      serial: s.serial,
      branch_code: bank.branch.code,
      state: 'in_stock',
      algorithm: s.algorithm,
      digits: s.digits,
      period: s.period,
      counter: 0,
      seed_sealed: deps.secretBox.seal(s.seed, `seed:${s.serial}`),
      received_on: s.receivedOn,
      updated_at: now,
    }))
    const inventory: Record<string, unknown>[] = [...handedOver, ...inStock]
    await trx.batchInsert('inventory', inventory, 200).transacting(trx)
    await deps.audit.append(trx, {
      actor: 'system',
      action: 'demo.seed',
      entity: 'branch',
      entityKey: bank.branch.code,
      after: { customers: rows.length, stock: inStock.length, staff: bank.staff.length },
    })
  })
  return true
}
