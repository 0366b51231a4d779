import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import pino from 'pino'
import { FileKeyStore } from '../core/security/keyStore'
import { SecretBox } from '../core/security/secretBox'
import { openCentralDb, migrateCentral } from './db'
import { importCustomers } from './customerImport'
import { Hq } from './hq'
import { CLI_ACTOR } from './hqActor'
import { addStaff, disableStaff, moveStaff, resetStaffPassword, setStaffRole } from './staffAdmin'
import type { Role } from '../shared/domain'
import { parsePskc } from './pskc'
import { buildCentral } from './server'
import { createEnrollmentCode } from './sync'

const USAGE = `npm run central -- <command> [--db FILE | DATABASE_URL=postgres://…] [--json]
  serve [--host 127.0.0.1] [--port 8787] [--tls-cert FILE --tls-key FILE]
  branch add --code 001 --name NAME
  enroll-code --branch 001
  staff add --branch 001 --id S001 --name NAME --role teller|supervisor|admin   (password on stdin)
  staff disable --id S001
  staff role --id S001 --role teller|supervisor|admin
  staff move --id S001 --branch 002
  staff reset-password --id S001   (new password on stdin; must be changed at next login)
  customers import --file FILE.csv   (columns: cif,branch,name_kanji,name_kana,birth_date,phone,accounts,otp_status)
  customers activate --cif C
  tokens import-pskc --file FILE [--key HEX | --password-stdin]
  tokens allocate --branch 001 (--serial S ... | --count N)
  revocations list [--state pending]
  revocations complete --id ID
  revocations reject --id ID --reason TEXT
  otp verify --serial S --otp CODE [--at UNIX_SECONDS]
  demo`

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8').trim()
  } catch {
    return ''
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      json: { type: 'boolean', default: false },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8787' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'key-file': { type: 'string' },
      code: { type: 'string' },
      file: { type: 'string' },
      key: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      name: { type: 'string' },
      branch: { type: 'string' },
      id: { type: 'string' },
      role: { type: 'string' },
      cif: { type: 'string' },
      serial: { type: 'string', multiple: true },
      count: { type: 'string' },
      state: { type: 'string' },
      reason: { type: 'string' },
      otp: { type: 'string' },
      at: { type: 'string' },
    },
  })
  const command = positionals.join(' ')
  if (!command || command === 'help') {
    console.log(USAGE)
    return command ? 0 : 2
  }
  const databaseUrl = process.env['DATABASE_URL']
  const db = openCentralDb({ dbFile: values.db, databaseUrl })
  const keyFile =
    values['key-file'] ?? process.env['CENTRAL_KEY_FILE'] ?? (values.db ? `${values.db}.key` : undefined)
  if (!keyFile)
    throw new Error('give --key-file FILE or CENTRAL_KEY_FILE for the key that seals seeds at rest')
  const secretBox = new SecretBox(new FileKeyStore(keyFile).dataKey())
  await migrateCentral(db)
  const hq = new Hq(db, secretBox)
  const out = (text: string, json: unknown) => console.log(values.json ? JSON.stringify(json) : text)
  const need = (name: string, value: string | undefined): string => {
    if (!value) throw new Error(`${command} needs --${name}`)
    return value
  }

  try {
    switch (command) {
      case 'serve': {
        const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'info' })
        const https =
          values['tls-cert'] && values['tls-key']
            ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) }
            : undefined
        const app = buildCentral({ db, secretBox, loggerInstance: logger, https })
        const address = await app.listen({ host: values.host, port: Number(values.port) })
        logger.info({ address }, 'central listening')
        out(`central listening on ${address}`, { address })
        // Graceful: stop taking requests, let the push in flight finish its transaction, then close.
        const stop = async () => {
          await app.close()
          await db.destroy()
          process.exit(0)
        }
        process.on('SIGTERM', stop)
        process.on('SIGINT', stop)
        return await new Promise<number>(() => {})
      }
      case 'branch add':
        await hq.addBranch(need('code', values.code), need('name', values.name))
        out(`branch ${values.code} added`, { code: values.code })
        return 0
      case 'enroll-code': {
        const code = await createEnrollmentCode(db, need('branch', values.branch), new Date())
        out(`enrolment code for branch ${values.branch} (single use, 24 hours): ${code}`, {
          branch: values.branch,
          code,
        })
        return 0
      }
      case 'staff add':
        await addStaff(db, CLI_ACTOR, {
          branch: need('branch', values.branch),
          staffId: need('id', values.id),
          name: need('name', values.name),
          role: need('role', values.role) as Role,
          password: readStdin(),
        })
        out(`staff ${values.id} added`, { staffId: values.id })
        return 0
      case 'staff disable':
        await disableStaff(db, CLI_ACTOR, { staffId: need('id', values.id) })
        out(`staff ${values.id} disabled`, { staffId: values.id, active: false })
        return 0
      case 'staff role':
        await setStaffRole(db, CLI_ACTOR, {
          staffId: need('id', values.id),
          role: need('role', values.role) as Role,
        })
        out(`staff ${values.id} is now ${values.role}`, { staffId: values.id, role: values.role })
        return 0
      case 'staff move':
        await moveStaff(db, CLI_ACTOR, {
          staffId: need('id', values.id),
          branch: need('branch', values.branch),
        })
        out(`staff ${values.id} moved to branch ${values.branch}`, {
          staffId: values.id,
          branch: values.branch,
        })
        return 0
      case 'staff reset-password':
        await resetStaffPassword(
          db,
          CLI_ACTOR,
          { staffId: need('id', values.id), password: readStdin() },
          new Date(),
        )
        out(`password of ${values.id} reset; it must be changed at next login`, { staffId: values.id })
        return 0
      case 'customers import': {
        const result = await importCustomers(db, readFileSync(need('file', values.file), 'utf8'), new Date())
        out(`${result.imported} customers imported, ${result.updated} updated`, result)
        return 0
      }
      case 'tokens import-pskc': {
        const tokens = parsePskc(readFileSync(need('file', values.file), 'utf8'), {
          ...(values.key ? { keyHex: values.key } : {}),
          ...(values['password-stdin'] ? { password: readStdin() } : {}),
        })
        const result = await hq.addStockTokens(tokens)
        out(
          `${result.imported} tokens imported` +
            (result.duplicates.length
              ? `; already known, not overwritten: ${result.duplicates.join(' ')}`
              : ''),
          result,
        )
        return 0
      }
      case 'customers activate':
        await hq.activateCustomer(need('cif', values.cif))
        out(`customer ${values.cif} is in use (利用中)`, { cif: values.cif, otpStatus: 'in_use' })
        return 0
      case 'tokens allocate': {
        const serials = await hq.allocateTokens(
          need('branch', values.branch),
          values.serial ? { serials: values.serial } : { count: Number(need('count', values.count)) },
        )
        out(`${serials.length} tokens allocated to branch ${values.branch}: ${serials.join(' ')}`, {
          branch: values.branch,
          serials,
        })
        return 0
      }
      case 'revocations list': {
        const list = await hq.listRevocations(values.state)
        out(
          list
            .map((r) => `${r.id}  ${r.branch}  ${r.cif}  ${r.state}  ${r.channel ?? ''}  ${r.reason ?? ''}`)
            .join('\n') || '(none)',
          list,
        )
        return 0
      }
      case 'revocations complete':
        await hq.completeRevocation(need('id', values.id))
        out(`revocation ${values.id} completed`, { id: values.id, state: 'completed' })
        return 0
      case 'revocations reject':
        await hq.rejectRevocation(need('id', values.id), need('reason', values.reason))
        out(`revocation ${values.id} rejected`, { id: values.id, state: 'rejected' })
        return 0
      case 'otp verify': {
        const at = values.at ? new Date(Number(values.at) * 1000) : new Date()
        const valid = await hq.verifyOtp(need('serial', values.serial?.[0]), need('otp', values.otp), at)
        out(valid ? 'valid' : 'invalid', { valid })
        return valid ? 0 : 1
      }
      case 'demo': {
        const made = await hq.demo()
        out(`demo bank: branch 001, ${made.customers} customers, ${made.stock} tokens in stock`, made)
        return 0
      }
      default:
        throw new Error(`unknown command "${command}"\n${USAGE}`)
    }
  } finally {
    if (command !== 'serve') await db.destroy()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`central: ${e.message}`)
    process.exit(2)
  },
)
