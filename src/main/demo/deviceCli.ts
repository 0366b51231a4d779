import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { openDb } from '../db/connection'
import { deviceOtpNow } from '../../core/domain/deviceOtp'
import { authenticator } from 'otplib'
import { DEMO_SUPERVISOR_TOTP, generateDemoBank } from '../../core/demo/generator'

/**
 * `npm run demo:device -- --serial KT… [--db FILE]`: what a demo hard token would show now, so the
 * issuance wizard can be tried without the physical device; `--supervisor`: the demo supervisors'
 * authenticator code, for approvals. Demo seeds only: the generator's, never the branch's sealed ones.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      serial: { type: 'string' },
      supervisor: { type: 'boolean', default: false },
      db: { type: 'string', default: '.tmp/token-desk.sqlite' },
    },
  })
  if (values.supervisor) {
    console.log(`demo supervisors' authenticator code: ${authenticator.generate(DEMO_SUPERVISOR_TOTP)}`)
    return 0
  }
  const bank = generateDemoBank()
  const token = bank.stock.find((s) => s.serial === values.serial)
  if (!token) {
    console.error(
      `not a demo stock serial: ${values.serial ?? '(none)'}; demo serials: ${bank.stock
        .map((s) => s.serial)
        .slice(0, 6)
        .join(', ')}, …`,
    )
    return 2
  }
  let counter = 0
  if (token.algorithm === 'hotp' && existsSync(values.db)) {
    // HOTP devices move on with every press; the branch database knows the next counter.
    const db = openDb(values.db)
    counter = (await db('inventory').where({ serial: token.serial }).first())?.counter ?? 0
    await db.destroy()
  }
  const otp = deviceOtpNow({ ...token, counter }, token.seed, new Date())
  console.log(`${token.serial} (${token.algorithm.toUpperCase()}, ${token.digits} digits): ${otp}`)
  return 0
}

main().then((code) => process.exit(code))
