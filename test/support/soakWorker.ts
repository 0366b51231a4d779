// The branch side of the crash soak: opens the branch database and syncs until the outbox is empty,
// printing each pass, until it is done or SIGKILLed. Whatever moment the kill lands, a restart must
// carry on with every mutation applied exactly once.
import { createApp } from '../../src/main/app'
import { FileKeyStore } from '../../src/core/security/keyStore'

async function main(): Promise<void> {
  const [dbFile, keyFile] = process.argv.slice(2) as [string, string]
  const app = await createApp({ dbFile, keyStore: new FileKeyStore(keyFile), startSync: false })
  if (app.state !== 'ready') throw new Error(app.message)
  const { db, syncClient } = app.services
  for (;;) {
    const [row] = await db('outbox').count<{ n: number }[]>({ n: '*' })
    const waiting = Number(row?.n ?? 0)
    process.stdout.write(`waiting ${waiting}\n`)
    if (waiting === 0) break
    try {
      await syncClient.syncOnce()
    } catch (e) {
      // Central down or killed mid-push: try again shortly, as the scheduler would.
      process.stdout.write(`sync failed ${(e as Error).name}\n`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  process.stdout.write('drained\n')
  await app.close()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
