// Seeds a demo branch of N customers into FILE (a fresh file), in a process of its own, and prints how
// long it took and the process's peak RSS. Usage: seedBranch.ts N FILE
import { rmSync } from 'node:fs'
import { createApp } from '../../src/main/app'
import { FakeClock } from '../../src/main/clock'
import { seedDemoAtScale } from '../../src/main/demo/seedDemo'
import { FileKeyStore } from '../../src/core/security/keyStore'
import { SecretBox } from '../../src/core/security/secretBox'
import { AuditLog } from '../../src/main/services/audit'

async function main(): Promise<void> {
  const customers = Number(process.argv[2])
  const dbFile = process.argv[3]!
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true })
  const clock = new FakeClock()
  const keyStore = new FileKeyStore(`${dbFile}.key`)
  const app = await createApp({ dbFile, keyStore, clock, startSync: false })
  if (app.state !== 'ready') throw new Error(app.message)
  const start = performance.now()
  await seedDemoAtScale(
    app.services.db,
    { clock, audit: new AuditLog(clock), secretBox: new SecretBox(keyStore.dataKey()) },
    customers,
  )
  const ms = performance.now() - start
  await app.close()
  process.stdout.write(JSON.stringify({ ms, peakRss: process.resourceUsage().maxRSS * 1024 }))
}

void main()
