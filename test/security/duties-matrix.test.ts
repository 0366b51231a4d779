import { readFileSync, writeFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DUTIES, type DutyName } from '../../src/core/duties'
import { approvalBy, issueHard, login, stockToken } from '../support/counter'
import { tempApp, type TempApp } from '../support/tempApp'

/**
 * Separation of duties, from the one table (src/core/duties.ts): for every duty, an approval by each party
 * the checker must differ from is refused, and one by another supervisor is accepted — through the real
 * handler table. A duty added to the table without a scenario here fails the test.
 */
let app: TempApp
beforeEach(async () => {
  app = await tempApp()
  used.customers.clear()
  used.totp = 0
  for (const [client, staff] of [
    ['T001', 'T001'],
    ['T002', 'T002'],
    ['S001', 'S001'],
    ['S002', 'S002'],
  ] as const)
    await login(app, client, staff)
})
afterEach(() => app.close())

/** A different customer and stock token for every step, so scenarios never collide. */
const used = { customers: new Set<string>(), totp: 0 }
async function freshCustomer(status: string): Promise<string> {
  const cifs: string[] = await app.services
    .db('customers')
    .where({ otp_status: status })
    .orderBy('cif')
    .pluck('cif')
  const cif = cifs.find((c) => !used.customers.has(c))!
  used.customers.add(cif)
  return cif
}

/** A fresh approval code each time (a used time step is refused as a replay). */
function approval(staffId: string) {
  app.clock.advance(31_000)
  return approvalBy(app, staffId)
}

async function feeTakenBy(client: string): Promise<string> {
  const cif = await freshCustomer('not_applied')
  const issued = await issueHard(app, client, cif, stockToken('totp', used.totp++), {
    method: 'cash',
    tenderedYen: 1100,
  })
  expect(issued.ok, JSON.stringify(issued)).toBe(true)
  return (issued as { value: { receipt: { receiptNo: string } } }).value.receipt.receiptNo
}

async function revocationBy(client: string, reason: 'lost' | 'unneeded'): Promise<string> {
  const cif = await freshCustomer('in_use')
  const asked = await app.invoke(client, 'revocations.request', {
    cif,
    channel: 'in_person',
    reason,
    identity: { kind: 'passport', last4: '1234' },
  })
  expect(asked.ok, JSON.stringify(asked)).toBe(true)
  return (asked as { value: { id: string } }).value.id
}

type Outcome = { ok: boolean; error?: { code: string } }
interface Scenario {
  /** Approval by a party the checker must differ from: refused. */
  refused: () => Promise<Outcome>
  /** Approval by another supervisor (or none where none is needed): accepted. */
  accepted: () => Promise<Outcome>
}

const SCENARIOS: Record<DutyName, Scenario> = {
  'revocation.approve': {
    refused: async () =>
      app.invoke('S001', 'revocations.approve', { requestId: await revocationBy('S001', 'unneeded') }),
    accepted: async () =>
      app.invoke('S002', 'revocations.approve', { requestId: await revocationBy('S001', 'unneeded') }),
  },
  'revocation.reject': {
    refused: async () =>
      app.invoke('S001', 'revocations.reject', {
        requestId: await revocationBy('S001', 'unneeded'),
        reason: '確認不足',
      }),
    accepted: async () =>
      app.invoke('S002', 'revocations.reject', {
        requestId: await revocationBy('S001', 'unneeded'),
        reason: '確認不足',
      }),
  },
  'revocation.withdraw': {
    // Someone else's request, and a lost one even by its maker, need a supervisor.
    refused: async () =>
      app.invoke('T002', 'revocations.withdraw', {
        requestId: await revocationBy('T001', 'unneeded'),
        reason: '顧客都合',
      }),
    accepted: async () =>
      app.invoke('T002', 'revocations.withdraw', {
        requestId: await revocationBy('T001', 'unneeded'),
        reason: '顧客都合',
        approval: approval('S001'),
      }),
  },
  'fee.waive': {
    refused: async () => {
      const cif = await freshCustomer('not_applied')
      return issueHard(app, 'S001', cif, stockToken('totp', used.totp++), {
        method: 'waiver',
        reason: '初期不良',
        approval: approval('S001'),
      })
    },
    accepted: async () => {
      const cif = await freshCustomer('not_applied')
      return issueHard(app, 'S001', cif, stockToken('totp', used.totp++), {
        method: 'waiver',
        reason: '初期不良',
        approval: approval('S002'),
      })
    },
  },
  'fee.void': {
    // The fee taker (S001) approving a void that T001 asks for: refused.
    refused: async () =>
      app.invoke('T001', 'ledger.void', {
        receiptNo: await feeTakenBy('S001'),
        reason: '誤操作',
        approval: approval('S001'),
      }),
    accepted: async () =>
      app.invoke('T001', 'ledger.void', {
        receiptNo: await feeTakenBy('S001'),
        reason: '誤操作',
        approval: approval('S002'),
      }),
  },
  'ledger.close_day': {
    refused: async () => app.invoke('S001', 'ledger.closeDay', { countedYen: 0, approval: approval('S001') }),
    accepted: async () =>
      app.invoke('S001', 'ledger.closeDay', { countedYen: 0, approval: approval('S002') }),
  },
  'inventory.write_off': {
    refused: async () =>
      app.invoke('S001', 'stock.writeOff', {
        serial: stockToken('hotp', 0),
        reason: '表示不良',
        approval: approval('S001'),
      }),
    accepted: async () =>
      app.invoke('S001', 'stock.writeOff', {
        serial: stockToken('hotp', 1),
        reason: '表示不良',
        approval: approval('S002'),
      }),
  },
}

describe('separation of duties, from src/core/duties.ts', () => {
  it('has a scenario for every duty in the table', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(Object.keys(DUTIES).sort())
  })

  it.each(Object.keys(DUTIES) as DutyName[])(
    '%s: a conflicting checker is refused, another supervisor accepted',
    async (duty) => {
      const refused = await SCENARIOS[duty].refused()
      expect(refused.ok, JSON.stringify(refused)).toBe(false)
      expect(['MAKER_IS_CHECKER', 'APPROVAL_REQUIRED']).toContain(refused.error?.code)
      const accepted = await SCENARIOS[duty].accepted()
      expect(accepted.ok, JSON.stringify(accepted)).toBe(true)
    },
  )

  it('a lost/stolen request needs a supervisor to be withdrawn, even by its maker', async () => {
    const requestId = await revocationBy('T001', 'lost')
    expect(await app.invoke('T001', 'revocations.withdraw', { requestId, reason: '顧客都合' })).toMatchObject(
      {
        ok: false,
        error: { code: 'APPROVAL_REQUIRED' },
      },
    )
  })
})

const BEGIN = '<!-- duties:begin (generated from src/core/duties.ts) -->'
const END = '<!-- duties:end -->'
const PARTY: Record<string, string> = {
  actor: 'the staff asking',
  maker: 'who made the request',
  feeTaker: 'who took the fee',
  dayOwner: 'whose day it is',
}

/** docs/security.md's duties table, generated from the one table. */
function dutiesMarkdown(): string {
  const rows = Object.entries(DUTIES).map(([name, d]) => {
    const when = d.when === 'always' ? 'always' : (d.when as readonly string[]).join(', ')
    return `| \`${name}\` | ${d.label} | ${d.approver} | ${(d.notBy as readonly string[]).map((p) => PARTY[p]).join(', ')} | ${when} |`
  })
  return [
    '| duty | 業務 | approver | not by | approval needed |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n')
}

describe('docs/security.md', () => {
  it('carries the duties table generated from src/core/duties.ts', () => {
    const doc = readFileSync('docs/security.md', 'utf8')
    const generated = `${BEGIN}\n\n${dutiesMarkdown()}\n\n${END}`
    const current = doc.includes(BEGIN) ? doc.slice(doc.indexOf(BEGIN), doc.indexOf(END) + END.length) : ''
    const plain = (text: string) => text.replace(/ +/g, '').replace(/-+/g, '-')
    if (process.env['UPDATE_DOCS'] && plain(current) !== plain(generated))
      writeFileSync('docs/security.md', current ? doc.replace(current, generated) : doc)
    expect(plain(current)).toBe(plain(generated))
  })
})
