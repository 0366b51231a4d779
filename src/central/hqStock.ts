import { versionsFor } from './db'
import { actorName, requireHqRole } from './hqActor'
import { appendHqAudit } from './hqAudit'
import type { HqContext } from './hqContext'
import { HqError } from './hqError'
import { parsePskc, PskcError, type PskcKeyInput, type PskcToken } from './pskc'

/**
 * Hard-token stock at HQ (DOMAIN.md: inventory): PSKC files from the vendor come in unallocated, HQ
 * allocates them to a branch (their seeds reach it on its next pull), and each device keeps a history.
 */
const DESK = ['hq_operator', 'hq_supervisor'] as const
const ANY_HQ = ['hq_operator', 'hq_supervisor', 'hq_admin'] as const

/** A branch is short of stock below this many unissued devices (the overview's warning). */
export const LOW_STOCK = 10

export interface PskcUpload extends PskcKeyInput {
  xml: string
}

function parseUpload(upload: PskcUpload): PskcToken[] {
  try {
    return parsePskc(upload.xml, upload)
  } catch (e) {
    if (e instanceof PskcError) throw new HqError(e.code, e.message)
    throw e
  }
}

export interface PskcSummary {
  count: number
  serials: string[]
  hotp: number
  totp: number
  digits6: number
  digits8: number
  duplicates: string[]
}

async function summarise(ctx: HqContext, tokens: PskcToken[]): Promise<PskcSummary> {
  const serials = tokens.map((t) => t.serial)
  const known = new Set<string>()
  // Chunks keep the IN list under SQLite's variable limit for big vendor files.
  for (let i = 0; i < serials.length; i += 500)
    for (const s of await ctx
      .db('inventory')
      .whereIn('serial', serials.slice(i, i + 500))
      .pluck('serial'))
      known.add(String(s))
  const inFile = new Set<string>()
  for (const s of serials) {
    if (inFile.has(s)) known.add(s)
    inFile.add(s)
  }
  return {
    count: tokens.length,
    serials,
    hotp: tokens.filter((t) => t.algorithm === 'hotp').length,
    totp: tokens.filter((t) => t.algorithm === 'totp').length,
    digits6: tokens.filter((t) => t.digits === 6).length,
    digits8: tokens.filter((t) => t.digits === 8).length,
    duplicates: [...known].sort(),
  }
}

/** Decrypts and checks the whole file (MACs included) and says what an import would add; changes nothing. */
export async function previewPskc(ctx: HqContext, upload: PskcUpload): Promise<PskcSummary> {
  requireHqRole(ctx.actor, DESK)
  return summarise(ctx, parseUpload(upload))
}

/**
 * Imports a checked file in one transaction. The console refuses a file naming a serial central already
 * knows (`duplicates: 'refuse'`); the CLI keeps its old behaviour of skipping and reporting them.
 */
export async function importPskc(
  ctx: HqContext,
  upload: PskcUpload,
  options: { duplicates: 'refuse' | 'skip' } = { duplicates: 'refuse' },
): Promise<{ imported: number; duplicates: string[] }> {
  requireHqRole(ctx.actor, DESK)
  const tokens = parseUpload(upload)
  return ctx.db.transaction(async (trx) => {
    const summary = await summarise({ ...ctx, db: trx }, tokens)
    if (summary.duplicates.length && options.duplicates === 'refuse')
      throw new HqError('PSKC_DUPLICATES', `already known serials: ${summary.duplicates.join(' ')}`, {
        serials: summary.duplicates,
      })
    const skip = new Set(summary.duplicates)
    const fresh = tokens.filter((t) => !skip.has(t.serial))
    // A version per 500 devices, so a branch's pull can page a big allocation later (db.ts: versionsFor).
    const version = await versionsFor(trx, fresh.length)
    const at = ctx.now.toISOString()
    for (const [index, t] of fresh.entries()) {
      await trx('inventory').insert({
        serial: t.serial,
        branch_code: null,
        state: 'in_stock',
        algorithm: t.algorithm,
        digits: t.digits,
        period: t.period,
        counter: t.counter ?? 0,
        seed_sealed: ctx.secretBox.seal(t.seed, `seed:${t.serial}`),
        version: version(index),
      })
      await trx('device_events').insert({
        serial: t.serial,
        at,
        event: 'imported',
        branch_code: null,
        actor: actorName(ctx.actor),
      })
    }
    await appendHqAudit(trx, ctx.actor, ctx.now, {
      action: 'stock.import_pskc',
      entity: 'inventory',
      entityKey: fresh[0]?.serial ?? '-',
      after: { imported: fresh.length, serials: fresh.map((t) => t.serial), skipped: summary.duplicates },
    })
    return { imported: fresh.length, duplicates: summary.duplicates }
  })
}

/** Puts unallocated devices (the named serials, or the first `count`) into a branch's stock. */
export async function allocateStock(
  ctx: HqContext,
  branch: string,
  selection: { serials?: string[]; count?: number },
): Promise<string[]> {
  requireHqRole(ctx.actor, DESK)
  if (!selection.serials?.length && !(Number.isInteger(selection.count) && selection.count! > 0))
    throw new HqError('VALIDATION', 'name serials or a count of at least 1', { fields: { count: 'MIN_1' } })
  return ctx.db.transaction(async (trx) => {
    if (!(await trx('branches').where({ code: branch }).first()))
      throw new HqError('NOT_FOUND', `no branch ${branch}`)
    const q = trx('inventory').whereNull('branch_code').where({ state: 'in_stock' }).orderBy('serial')
    if (selection.serials?.length) q.whereIn('serial', selection.serials)
    else q.limit(selection.count!)
    const rows = await q
    if (selection.serials?.length && rows.length !== selection.serials.length)
      throw new HqError('NOT_IN_STOCK', 'some serials are unknown or already allocated')
    if (selection.count && rows.length < selection.count)
      throw new HqError('NOT_ENOUGH_STOCK', `only ${rows.length} unallocated devices`, {
        available: rows.length,
      })
    const version = await versionsFor(trx, rows.length)
    const at = ctx.now.toISOString()
    const receivedOn = at.slice(0, 10)
    for (const [index, r] of rows.entries()) {
      await trx('inventory')
        .where({ serial: r.serial })
        .update({ branch_code: branch, received_on: receivedOn, version: version(index) })
      await trx('device_events').insert({
        serial: r.serial,
        at,
        event: 'allocated',
        branch_code: branch,
        actor: actorName(ctx.actor),
      })
    }
    const serials = rows.map((r) => String(r.serial))
    await appendHqAudit(trx, ctx.actor, ctx.now, {
      action: 'stock.allocate',
      entity: 'branch',
      entityKey: branch,
      after: { count: serials.length, serials },
    })
    return serials
  })
}

/** Devices per branch and state, plus HQ's unallocated stock. */
export async function stockSummary(ctx: HqContext) {
  requireHqRole(ctx.actor, ANY_HQ)
  const counts = await ctx
    .db('inventory')
    .select('branch_code', 'state')
    .count<{ branch_code: string | null; state: string; n: number }[]>({ n: '*' })
    .groupBy('branch_code', 'state')
  const branches = await ctx.db('branches').orderBy('code').select('code', 'name')
  const of = (branch: string | null, state: string) =>
    Number(counts.find((c) => c.branch_code === branch && c.state === state)?.n ?? 0)
  return {
    unallocated: of(null, 'in_stock'),
    lowStockBelow: LOW_STOCK,
    branches: branches.map((b) => ({
      code: String(b.code),
      name: String(b.name),
      inStock: of(b.code, 'in_stock'),
      issued: of(b.code, 'issued'),
      active: of(b.code, 'active'),
      revoked: of(b.code, 'revoked'),
      defective: of(b.code, 'defective'),
      low: of(b.code, 'in_stock') < LOW_STOCK,
    })),
  }
}

const DEVICE_PAGE = 200

export async function listDevices(
  ctx: HqContext,
  filter: { branch?: string; state?: string; serial?: string },
) {
  requireHqRole(ctx.actor, ANY_HQ)
  const q = ctx.db('inventory').orderBy('serial').limit(DEVICE_PAGE)
  if (filter.branch === 'none') q.whereNull('branch_code')
  else if (filter.branch) q.where('branch_code', filter.branch)
  if (filter.state) q.where('state', filter.state)
  if (filter.serial) q.where('serial', 'like', `${filter.serial.replace(/[%_\\]/g, '')}%`)
  return (await q).map((d) => ({
    serial: String(d.serial),
    branch: (d.branch_code as string | null) ?? null,
    state: String(d.state),
    algorithm: String(d.algorithm),
    digits: Number(d.digits),
    receivedOn: (d.received_on as string | null) ?? null,
  }))
}

/** One device and what happened to it: HQ's own events, then what the branches reported through its token. */
export async function deviceHistory(ctx: HqContext, serial: string) {
  requireHqRole(ctx.actor, ANY_HQ)
  const device = await ctx.db('inventory').where({ serial }).first()
  if (!device) throw new HqError('NOT_FOUND', `no device ${serial}`)
  const events: { at: string; event: string; branch: string | null; actor: string | null; cif?: string }[] = (
    await ctx.db('device_events').where({ serial }).orderBy('id')
  ).map((e) => ({
    at: String(e.at),
    event: String(e.event),
    branch: (e.branch_code as string | null) ?? null,
    actor: String(e.actor),
  }))
  for (const t of await ctx.db('tokens').where({ serial })) {
    if (t.issued_at)
      events.push({
        at: String(t.issued_at),
        event: 'issued',
        branch: device.branch_code,
        actor: null,
        cif: t.cif,
      })
    if (t.activated_at)
      events.push({
        at: String(t.activated_at),
        event: 'activated',
        branch: device.branch_code,
        actor: null,
        cif: t.cif,
      })
  }
  events.sort((a, b) => a.at.localeCompare(b.at))
  return {
    serial: String(device.serial),
    branch: (device.branch_code as string | null) ?? null,
    state: String(device.state),
    algorithm: String(device.algorithm),
    digits: Number(device.digits),
    period: device.period === null ? null : Number(device.period),
    receivedOn: (device.received_on as string | null) ?? null,
    events,
  }
}
