import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Knex } from 'knex'
import { MAX_PATCH_ENTRIES, type Mutation, type PatchOp } from '../shared/syncProtocol'
import { nextVersion } from './db'
import { MUTATIONS } from './mutations'
import { Rejection } from './rules'
import type { SecretBox } from '../core/security/secretBox'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

export interface Client {
  client_id: string
  branch_code: string
  last_mutation_id: number
}

/** `Authorization: Bearer <clientId>.<secret>`; central keeps only the secret's hash. */
export async function authenticate(db: Knex, header: string | undefined): Promise<Client> {
  const match = /^Bearer ([A-Za-z0-9-]+)\.([A-Za-z0-9_-]+)$/.exec(header ?? '')
  if (!match) throw new HttpError(401, 'UNAUTHENTICATED', 'no or malformed credentials')
  const client = await db('clients').where({ client_id: match[1] }).first()
  const given = Buffer.from(sha256(match[2]!))
  if (!client || !timingSafeEqual(given, Buffer.from(client.secret_hash))) {
    throw new HttpError(401, 'UNAUTHENTICATED', 'bad credentials')
  }
  return {
    client_id: client.client_id,
    branch_code: client.branch_code,
    last_mutation_id: Number(client.last_mutation_id),
  }
}

export async function createEnrollmentCode(db: Knex, branchCode: string, now: Date): Promise<string> {
  const branch = await db('branches').where({ code: branchCode }).first()
  if (!branch) throw new Error(`no branch ${branchCode}`)
  const code = randomBytes(9).toString('base64url')
  await db('enrollment_codes').insert({
    code_hash: sha256(code),
    branch_code: branchCode,
    expires_at: new Date(now.getTime() + 24 * 3600_000).toISOString(),
  })
  return code
}

/** An enrolment code is single-use and expires after 24 hours. */
export async function enroll(
  db: Knex,
  input: { branchCode: string; enrollmentCode: string; workstationName: string },
  now: Date,
) {
  return db.transaction(async (trx) => {
    const code = await trx('enrollment_codes')
      .where({ code_hash: sha256(input.enrollmentCode), branch_code: input.branchCode })
      .first()
    if (!code || code.used_at || code.expires_at < now.toISOString()) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'unknown, used or expired enrolment code')
    }
    await trx('enrollment_codes').where({ code_hash: code.code_hash }).update({ used_at: now.toISOString() })
    const clientId = `ws-${input.branchCode}-${randomBytes(4).toString('hex')}`
    const secret = randomBytes(32).toString('base64url')
    await trx('clients').insert({
      client_id: clientId,
      branch_code: input.branchCode,
      workstation_name: input.workstationName,
      secret_hash: sha256(secret),
      last_mutation_id: 0,
      created_at: now.toISOString(),
    })
    return { clientId, secret }
  })
}

/**
 * One transaction per push (SYNC-PROTOCOL.md: Push): duplicates skipped, a gap is 409, each mutation
 * applied or rejected with a code, lastMutationId and the global version stored together. An
 * unexpected failure aborts everything (the caller answers 503).
 */
export async function push(db: Knex, client: Client, mutations: Mutation[], now: Date) {
  return db.transaction(async (trx) => {
    const row = await trx('clients').where({ client_id: client.client_id }).forUpdate().first()
    let last = Number(row.last_mutation_id)
    const results: { id: number; status: 'applied' | 'rejected' | 'duplicate'; code?: string }[] = []
    const fresh = mutations.filter((m) => m.id > last)
    for (const m of mutations) if (m.id <= last) results.push({ id: m.id, status: 'duplicate' })
    if (fresh.length && fresh[0]!.id !== last + 1) {
      throw new HttpError(409, 'MUTATION_GAP', `expected mutation ${last + 1}, got ${fresh[0]!.id}`)
    }
    if (!fresh.length) return { lastMutationId: last, results }
    const version = await nextVersion(trx)
    for (const m of fresh) {
      if (m.id !== last + 1)
        throw new HttpError(409, 'MUTATION_GAP', `expected mutation ${last + 1}, got ${m.id}`)
      let status: 'applied' | 'rejected' = 'applied'
      let code: string | undefined
      try {
        // A savepoint per mutation: a rejected one leaves no half-applied rows behind.
        await trx.transaction((sp) =>
          MUTATIONS[m.name]!(
            { trx: sp, branchCode: client.branch_code, actor: m.actor, version },
            m.args,
            now.toISOString(),
          ),
        )
      } catch (e) {
        if (!(e instanceof Rejection)) throw e
        status = 'rejected'
        code = e.code
      }
      await trx('mutations').insert({
        client_id: client.client_id,
        id: m.id,
        name: m.name,
        status,
        code: code ?? null,
        actor: m.actor,
        client_created_at: m.createdAt,
      })
      results.push(code ? { id: m.id, status, code } : { id: m.id, status })
      last = m.id
    }
    await trx('clients').where({ client_id: client.client_id }).update({ last_mutation_id: last })
    return { lastMutationId: last, results }
  })
}

/** The branch's rows changed after `cookie`, oldest first, at most 5,000 entries (plus the rest of the last version). */
export async function pull(db: Knex, client: Client, cookie: number | null, secretBox: SecretBox) {
  const current = Number((await db('meta').where({ key: 'version' }).first('value')).value)
  const fromScratch = cookie === null || cookie > current
  const since = fromScratch ? -1 : cookie
  const b = client.branch_code
  type Entry = { version: number; op: PatchOp }
  const entries: Entry[] = []
  for (const c of await db('customers').where({ branch_code: b }).andWhere('version', '>', since)) {
    entries.push({
      version: Number(c.version),
      op: {
        op: 'put',
        entity: 'customer',
        key: c.cif,
        value: {
          cif: c.cif,
          nameKanji: c.name_kanji,
          nameKana: c.name_kana,
          birthDate: c.birth_date,
          phone: c.phone,
          homeBranch: c.branch_code,
          otpStatus: c.otp_status,
          statusChangedAt: c.status_changed_at,
          accounts: JSON.parse(c.accounts_json),
        },
      },
    })
  }
  const tokens = await db('tokens as t')
    .join('customers as c', 'c.cif', 't.cif')
    .where('c.branch_code', b)
    .andWhere('t.version', '>', since)
    .select('t.*')
  for (const t of tokens) {
    entries.push({
      version: Number(t.version),
      op: {
        op: 'put',
        entity: 'token',
        key: t.uid,
        value: {
          uid: t.uid,
          cif: t.cif,
          kind: t.kind,
          serial: t.serial,
          state: t.state,
          issuedAt: t.issued_at,
          activatedAt: t.activated_at,
          revokedAt: t.revoked_at,
        },
      },
    })
  }
  for (const r of await db('requests').where({ branch_code: b }).andWhere('version', '>', since)) {
    entries.push({
      version: Number(r.version),
      op: {
        op: 'put',
        entity: 'request',
        key: r.id,
        value: {
          id: r.id,
          kind: r.kind,
          cif: r.cif,
          state: r.state,
          maker: r.maker,
          checker: r.checker,
          prevStatus: r.prev_status,
          decisionReason: r.decision_reason,
          detail: JSON.parse(r.detail_json),
        },
      },
    })
  }
  for (const s of await db('staff').where({ branch_code: b }).andWhere('version', '>', since)) {
    entries.push({
      version: Number(s.version),
      op: {
        op: 'put',
        entity: 'staff',
        key: s.staff_id,
        value: { staffId: s.staff_id, name: s.name, role: s.role, passwordHash: s.password_hash },
      },
    })
  }
  for (const i of await db('inventory').where({ branch_code: b }).andWhere('version', '>', since)) {
    // Seeds travel only for devices in this branch's stock (TLS enforced by the branch's URL check).
    const seed =
      i.state === 'in_stock' && i.seed_sealed
        ? secretBox.open(i.seed_sealed, `seed:${i.serial}`).toString('base64')
        : null
    entries.push({
      version: Number(i.version),
      op: {
        op: 'put',
        entity: 'inventory',
        key: i.serial,
        value: {
          serial: i.serial,
          state: i.state,
          algorithm: i.algorithm,
          digits: i.digits,
          period: i.period,
          counter: Number(i.counter),
          seed,
          receivedOn: i.received_on,
        },
      },
    })
  }
  entries.sort((a, b2) => a.version - b2.version)
  let page = entries
  let more = false
  let newCookie = current
  if (entries.length > MAX_PATCH_ENTRIES) {
    const cutVersion = entries[MAX_PATCH_ENTRIES - 1]!.version
    page = entries.filter((e) => e.version <= cutVersion)
    more = page.length < entries.length
    newCookie = cutVersion
  }
  const patch: PatchOp[] = fromScratch ? [{ op: 'clear' }, ...page.map((e) => e.op)] : page.map((e) => e.op)
  const row = await db('clients').where({ client_id: client.client_id }).first('last_mutation_id')
  return { cookie: newCookie, lastMutationId: Number(row.last_mutation_id), patch, more }
}
