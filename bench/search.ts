// Customer search at the counter: how kana, phone and account searches compare with a CIF lookup
// (the baseline: one primary-key read) as the branch database grows. Prints ratios, since the
// machines these run on are noisy; absolute times are for orientation only.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createApp } from '../src/main/app'
import { FakeClock } from '../src/main/clock'
import { generateDemoBank } from '../src/core/demo/generator'
import { seedDemo } from '../src/main/demo/seedDemo'
import { FileKeyStore } from '../src/core/security/keyStore'
import { SecretBox } from '../src/core/security/secretBox'
import { AuditLog } from '../src/main/services/audit'

const ROUNDS = 400

async function measure(label: string, fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await fn(i) // warm-up
  const start = performance.now()
  for (let i = 0; i < ROUNDS; i++) await fn(i)
  const perCall = (performance.now() - start) / ROUNDS
  return perCall
}

async function run(customers: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-bench-'))
  const clock = new FakeClock()
  const keyStore = new FileKeyStore(join(dir, 'k'))
  const app = await createApp({ dbFile: join(dir, 'bench.sqlite'), keyStore, clock })
  if (app.state !== 'ready') throw new Error('not ready')
  const bank = generateDemoBank({ customers })
  const t0 = performance.now()
  await seedDemo(
    app.services.db,
    { clock, audit: new AuditLog(clock), secretBox: new SecretBox(keyStore.dataKey()) },
    bank,
  )
  const seedMs = performance.now() - t0
  const { customers: svc } = app.services
  const sample = bank.customers.filter((_, i) => i % 97 === 0)
  const pick = (i: number) => sample[i % sample.length]!
  const cif = await measure('cif', (i) => svc.search(pick(i).cif, 1))
  const kana = await measure('kana', (i) => svc.search(pick(i).nameKana.slice(0, 3), 1))
  const phone = await measure('phone', (i) => svc.search(pick(i).phone, 1))
  const account = await measure('account', (i) => {
    const a = pick(i).accounts[0]!
    return svc.search(`${a.branchCode}-${a.subject}-${a.number}`, 1)
  })
  const file = await measure('file', (i) => svc.file(pick(i).cif))
  console.log(
    [
      `customers=${customers}`,
      `seed=${seedMs.toFixed(0)}ms`,
      `cif=${cif.toFixed(3)}ms (1.00x)`,
      `kana3=${kana.toFixed(3)}ms (${(kana / cif).toFixed(2)}x)`,
      `phone=${phone.toFixed(3)}ms (${(phone / cif).toFixed(2)}x)`,
      `account=${account.toFixed(3)}ms (${(account / cif).toFixed(2)}x)`,
      `file=${file.toFixed(3)}ms (${(file / cif).toFixed(2)}x)`,
    ].join('  '),
  )
  await app.close()
  rmSync(dir, { recursive: true, force: true })
}

async function main(): Promise<void> {
  for (const n of [2_000, 20_000, 100_000]) await run(n)
}

void main()
