import type { AccountSubject, OtpStatus, Role, TokenKind, TokenState } from '../../shared/domain'
import { FAMILY_NAMES, GIVEN_NAMES } from './names'

/**
 * A deterministic demo bank: the same seed gives the same branch, staff, customers and stock, so demo
 * screens, tests and benchmarks all see the same data. Pure: writes nothing (see seedDemo.ts).
 */
export interface DemoBank {
  bankName: string
  branch: { code: string; name: string }
  staff: { staffId: string; name: string; role: Role; password: string; totpSecret?: string }[]
  customers: DemoCustomer[]
  stock: DemoStockToken[]
}

export interface DemoCustomer {
  cif: string
  nameKanji: string
  nameKana: string
  birthDate: string
  phone: string
  homeBranch: string
  otpStatus: OtpStatus
  statusChangedAt: string
  accounts: { branchCode: string; subject: AccountSubject; number: string }[]
  tokens: {
    kind: TokenKind
    serial: string | null
    state: TokenState
    issuedAt: string
    activatedAt: string | null
    revokedAt: string | null
  }[]
}

export interface DemoStockToken {
  serial: string
  algorithm: 'hotp' | 'totp'
  digits: 6 | 8
  period: number | null
  seed: Buffer
  receivedOn: string
}

export const DEMO_BANK_NAME = 'みらい山形銀行'
export const DEMO_BRANCH = { code: '001', name: '本店営業部' }
/** The demo supervisors' authenticator key (base32), so approvals can be tried with any TOTP app. */
export const DEMO_SUPERVISOR_TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'

/** Demo logins; README.md lists them. Never used outside demo databases. */
export const DEMO_STAFF: DemoBank['staff'] = [
  { staffId: 'T001', name: '山田 花子', role: 'teller', password: 'demo-T001' },
  { staffId: 'T002', name: '佐藤 健', role: 'teller', password: 'demo-T002' },
  {
    staffId: 'S001',
    name: '鈴木 一郎',
    role: 'supervisor',
    password: 'demo-S001',
    totpSecret: DEMO_SUPERVISOR_TOTP,
  },
  {
    staffId: 'S002',
    name: '伊藤 直美',
    role: 'supervisor',
    password: 'demo-S002',
    totpSecret: DEMO_SUPERVISOR_TOTP,
  },
  { staffId: 'A001', name: '高橋 美咲', role: 'admin', password: 'demo-A001' },
]

/** mulberry32: a small seeded PRNG; enough for demo data, never for secrets in production. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Share of each status among demo customers: most never applied or use their token. */
const STATUS_WEIGHTS: [OtpStatus, number][] = [
  ['not_applied', 38],
  ['declined', 10],
  ['token_issued', 8],
  ['in_use', 32],
  ['suspended', 2],
  ['revocation_pending', 4],
  ['revoked', 6],
]

const pad = (n: number, width: number) => String(n).padStart(width, '0')

const DEMO_SEED = 20261125

/** The random helpers every part of the demo bank draws from, in one seeded sequence. */
function demoRandom(seed: number) {
  const rand = prng(seed)
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!
  const weighted = (): OtpStatus => {
    let r = rand() * STATUS_WEIGHTS.reduce((sum, [, w]) => sum + w, 0)
    for (const [status, w] of STATUS_WEIGHTS) if ((r -= w) < 0) return status
    return 'not_applied'
  }
  const dayIn = (fromYear: number, toYear: number) =>
    `${int(fromYear, toYear)}-${pad(int(1, 12), 2)}-${pad(int(1, 28), 2)}`
  const timeOn = (day: string) => `${day}T${pad(int(0, 8), 2)}:${pad(int(0, 59), 2)}:00.000Z`
  let serialSeq = 10_000_000
  const nextSerial = () => `KT${++serialSeq}`
  return { rand, int, pick, weighted, dayIn, timeOn, nextSerial }
}

/**
 * The demo customers one at a time, so a bank-sized branch (a million customers) can be seeded without
 * holding them all in memory. The same seed gives the same customers as generateDemoBank.
 */
export function* demoCustomers(
  options: { seed?: number; customers?: number } = {},
  random = demoRandom(options.seed ?? DEMO_SEED),
): Generator<DemoCustomer> {
  const { rand, int, pick, weighted, dayIn, timeOn, nextSerial } = random
  const count = options.customers ?? 2000
  for (let i = 0; i < count; i++) {
    const [familyKanji, familyKana] = pick(FAMILY_NAMES)
    const [givenKanji, givenKana] = pick(GIVEN_NAMES)
    const otpStatus = weighted()
    const statusChangedAt = timeOn(dayIn(2023, 2025))
    const accounts: DemoCustomer['accounts'] = [
      { branchCode: DEMO_BRANCH.code, subject: 'futsu', number: pad(1_000_000 + i * 3, 7) },
    ]
    if (rand() < 0.3)
      accounts.push({ branchCode: DEMO_BRANCH.code, subject: 'chochiku', number: pad(1_000_001 + i * 3, 7) })
    if (rand() < 0.05)
      accounts.push({ branchCode: DEMO_BRANCH.code, subject: 'toza', number: pad(1_000_002 + i * 3, 7) })

    const tokens: DemoCustomer['tokens'] = []
    const kind: TokenKind = rand() < 0.75 ? 'soft' : 'hard'
    const serial = kind === 'hard' ? nextSerial() : null
    const issuedAt = statusChangedAt
    if (otpStatus === 'token_issued')
      tokens.push({ kind, serial, state: 'issued', issuedAt, activatedAt: null, revokedAt: null })
    if (['in_use', 'suspended', 'revocation_pending'].includes(otpStatus)) {
      tokens.push({ kind, serial, state: 'active', issuedAt, activatedAt: issuedAt, revokedAt: null })
    }
    if (otpStatus === 'revoked') {
      tokens.push({
        kind,
        serial,
        state: 'revoked',
        issuedAt,
        activatedAt: issuedAt,
        revokedAt: statusChangedAt,
      })
    }

    const mobile = rand() < 0.7
    yield {
      cif: pad(1_000_001 + i, 7),
      nameKanji: `${familyKanji} ${givenKanji}`,
      nameKana: `${familyKana} ${givenKana}`,
      birthDate: dayIn(1940, 2006),
      phone: mobile
        ? `${pick(['070', '080', '090'])}-${pad(int(0, 9999), 4)}-${pad(int(0, 9999), 4)}`
        : `023-${pad(int(600, 699), 3)}-${pad(int(0, 9999), 4)}`,
      homeBranch: DEMO_BRANCH.code,
      otpStatus,
      statusChangedAt,
      accounts,
      tokens,
    }
  }
}

export function generateDemoBank(
  options: { seed?: number; customers?: number; stock?: number } = {},
): DemoBank {
  const random = demoRandom(options.seed ?? DEMO_SEED)
  const customers = [...demoCustomers(options, random)]
  const stock = demoStock(random, options.stock)
  return { bankName: DEMO_BANK_NAME, branch: DEMO_BRANCH, staff: DEMO_STAFF, customers, stock }
}

/**
 * A bank-sized demo branch as streams: the customers one at a time, then the stock (drawn after them,
 * so its serials follow the customers' hard tokens exactly as in generateDemoBank).
 */
export function demoBranchStream(options: { seed?: number; customers: number; stock?: number }) {
  const random = demoRandom(options.seed ?? DEMO_SEED)
  return {
    bankName: DEMO_BANK_NAME,
    branch: DEMO_BRANCH,
    staff: DEMO_STAFF,
    customers: demoCustomers(options, random),
    stock: () => demoStock(random, options.stock),
  }
}

function demoStock(random: ReturnType<typeof demoRandom>, count = 50): DemoStockToken[] {
  const { int, nextSerial } = random
  const stock: DemoStockToken[] = []
  for (let i = 0; i < count; i++) {
    const totp = i % 2 === 0
    stock.push({
      serial: nextSerial(),
      algorithm: totp ? 'totp' : 'hotp',
      digits: totp ? 8 : 6,
      period: totp ? 30 : null,
      seed: Buffer.from(Array.from({ length: 20 }, () => int(0, 255))),
      receivedOn: `2026-11-${pad(int(1, 20), 2)}`,
    })
  }
  return stock
}

/** One customer's tokens as table rows (`demo-<customer index>-<token index>` uids). */
export function customerTokenRows(c: DemoCustomer, ci: number) {
  return c.tokens.map((t, ti) => ({
    uid: `demo-${ci}-${ti}`,
    cif: c.cif,
    kind: t.kind,
    serial: t.serial,
    state: t.state,
    issued_at: t.issuedAt,
    activated_at: t.activatedAt,
    revoked_at: t.revokedAt,
  }))
}

/**
 * The demo tokens as table rows, shared by the branch's and central's demo seeders so both name them
 * alike (`demo-<customer>-<token>` uids).
 */
export function demoTokenRows(bank: DemoBank) {
  return bank.customers.flatMap(customerTokenRows)
}

/** Hard tokens already with customers, as inventory rows (their seeds long deleted). */
export function handedOverInventoryRows(tokens: ReturnType<typeof customerTokenRows>, branchCode: string) {
  return tokens
    .filter((t) => t.kind === 'hard' && t.serial)
    .map((t) => ({
      serial: t.serial!,
      branch_code: branchCode,
      state: t.state as string,
      algorithm: 'totp',
      digits: 8,
      period: 30 as number | null,
      counter: 0,
      seed_sealed: null as string | null,
      received_on: t.issued_at.slice(0, 10),
    }))
}

/** The stock as inventory rows, whose seeds `seal` protects at rest. */
export function stockInventoryRows(
  stock: DemoStockToken[],
  branchCode: string,
  seal: (seed: Buffer, serial: string) => string,
) {
  return stock.map((s) => ({
    serial: s.serial,
    branch_code: branchCode,
    state: 'in_stock',
    algorithm: s.algorithm as string,
    digits: s.digits as number,
    period: s.period,
    counter: 0,
    seed_sealed: seal(s.seed, s.serial) as string | null,
    received_on: s.receivedOn,
  }))
}

/**
 * The branch's hard-token inventory as table rows: devices already with customers (their seeds long
 * deleted) and the stock, whose seeds `seal` protects at rest.
 */
export function demoInventoryRows(bank: DemoBank, seal: (seed: Buffer, serial: string) => string) {
  return [
    ...handedOverInventoryRows(demoTokenRows(bank), bank.branch.code),
    ...stockInventoryRows(bank.stock, bank.branch.code, seal),
  ]
}
