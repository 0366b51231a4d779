// Issues hard tokens one after another, as fast as it can, until killed. Used by the crash test:
// whatever moment the kill lands, every issuance must be in the database whole, or not at all.
import { createApp } from '../../src/main/app'
import { generateDemoBank } from '../../src/core/demo/generator'
import { deviceOtpNow } from '../../src/core/domain/deviceOtp'
import { createHandlers } from '../../src/main/ipc/handlers'
import { FileKeyStore } from '../../src/core/security/keyStore'

async function main(): Promise<void> {
  const [dbFile, keyFile] = process.argv.slice(2) as [string, string]
  const app = await createApp({ dbFile, keyStore: new FileKeyStore(keyFile) })
  if (app.state !== 'ready') throw new Error(app.message)
  const invoke = createHandlers(app)
  const bank = generateDemoBank()
  await invoke('w', 'auth.login', { staffId: 'T001', password: 'demo-T001' })
  const cifs = bank.customers.filter((c) => c.otpStatus === 'not_applied').map((c) => c.cif)
  const stock = bank.stock.filter((s) => s.algorithm === 'hotp')
  for (let i = 0; i < stock.length; i++) {
    const token = stock[i]!
    const otp = deviceOtpNow({ ...token, counter: 0 }, token.seed, new Date())
    const verified = await invoke('w', 'issuance.verifyDevice', { cif: cifs[i], serial: token.serial, otp })
    if (!verified.ok) throw new Error(JSON.stringify(verified))
    const issued = await invoke('w', 'issuance.issue', {
      cif: cifs[i],
      serial: token.serial,
      identity: { kind: 'passport', last4: '0000' },
      payment: { method: 'cash', tenderedYen: 1100 },
    })
    if (!issued.ok) throw new Error(JSON.stringify(issued))
    process.stdout.write(`issued ${i + 1}\n`)
  }
  process.stdout.write('done\n')
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
