import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import pino from 'pino'
import { SecretBox } from '../core/security/secretBox'
import { loadCentralDataKey } from './dataKey'
import { openCentralDb, migrateCentral } from './db'
import { describeProblem, type CsvProblem } from './customerImport'
import { Hq } from './hq'
import { HQ_ROLES, type HqRole } from './hqActor'
import { listHqAudit, verifyHqAudit } from './hqAudit'
import { issueEnrolmentCode, revokeWorkstation } from './hqBranches'
import { previewCustomerCsv } from './hqCustomers'
import { addHqStaff, listHqStaff, seedDemoHqStaff } from './hqStaff'
import { importPskc } from './hqStock'
import { CLI_ACTOR } from './hqActor'
import { addStaff, disableStaff, moveStaff, resetStaffPassword, setStaffRole } from './staffAdmin'
import type { Role } from '../shared/domain'
import { buildCentral } from './server'
import { cliImportProgress } from './importProgress'

const USAGE = `npm run central -- <command> [--db FILE | DATABASE_URL=postgres://…] [--json]
  serve [--host 127.0.0.1] [--port 8787] [--tls-cert FILE --tls-key FILE] [--console-dir DIR]
        (the HQ console is at /console on the same port; build it first with npm run build)
  hq-staff add --id HQ001 --name NAME --role hq_operator|hq_supervisor|hq_admin   (password on stdin)
  hq-staff add --demo   (the demo HQ office listed in README.md)
  hq-staff list
  hq-audit list [--actor ID] [--action PREFIX]
  hq-audit verify
  workstations revoke --client ID
  always: --key-file FILE, or CENTRAL_KEY_FILE=FILE, or CENTRAL_DATA_KEY=BASE64 (central's data key)
  branch add --code 001 --name NAME
  enroll-code --branch 001
  staff add --branch 001 --id S001 --name NAME --role teller|supervisor|admin   (password on stdin)
  staff disable --id S001
  staff role --id S001 --role teller|supervisor|admin
  staff move --id S001 --branch 002
  staff reset-password --id S001   (new password on stdin; must be changed at next login)
  customers import --file FILE.csv [--dry-run]   (columns: cif,branch,name_kanji,name_kana,birth_date,phone,accounts,otp_status)
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
      demo: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      'console-dir': { type: 'string' },
      client: { type: 'string' },
      actor: { type: 'string' },
      action: { type: 'string' },
    },
  })
  const command = positionals.join(' ')
  if (!command || command === 'help') {
    console.log(USAGE)
    return command ? 0 : 2
  }
  const databaseUrl = process.env['DATABASE_URL']
  const db = openCentralDb({ dbFile: values.db, databaseUrl })
  // The data key comes only from where it is named at start (src/central/dataKey.ts).
  const secretBox = new SecretBox(loadCentralDataKey(values['key-file']))
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
        const app = buildCentral({
          db,
          secretBox,
          loggerInstance: logger,
          https,
          ...(values['console-dir'] ? { consoleDir: values['console-dir'] } : {}),
        })
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
        const { code } = await issueEnrolmentCode(hq.context(), need('branch', values.branch))
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
        const csv = readFileSync(need('file', values.file), 'utf8')
        if (values['dry-run']) {
          const check = await previewCustomerCsv(hq.context(), csv)
          out(
            check.problemCount
              ? `${check.problemCount} problems; nothing would be imported:\n` +
                  check.problems.map(describeProblem).join('\n')
              : `${check.fresh} customers would be imported, ${check.updates} updated`,
            check,
          )
          return check.problemCount ? 1 : 0
        }
        // Progress on stderr: one redrawn line on a terminal, a line every 10% in a log.
        const progress = cliImportProgress(process.stderr)
        let result: { imported: number; updated: number }
        try {
          result = await hq.importCustomers(csv, progress.listener)
        } finally {
          progress.finish()
        }
        out(`${result.imported} customers imported, ${result.updated} updated`, result)
        return 0
      }
      case 'tokens import-pskc': {
        const result = await importPskc(
          hq.context(),
          {
            xml: readFileSync(need('file', values.file), 'utf8'),
            ...(values.key ? { keyHex: values.key } : {}),
            ...(values['password-stdin'] ? { password: readStdin() } : {}),
          },
          { duplicates: 'skip' },
        )
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
      case 'hq-staff add': {
        if (values.demo) {
          const added = await seedDemoHqStaff(db, secretBox, new Date())
          out(`demo HQ staff added: ${added.join(' ') || '(all existed)'}`, { added })
          return 0
        }
        const role = need('role', values.role)
        if (!(HQ_ROLES as readonly string[]).includes(role))
          throw new Error(`role is one of ${HQ_ROLES.join(', ')}`)
        await addHqStaff(
          db,
          hq.actor,
          {
            staffId: need('id', values.id),
            name: need('name', values.name),
            role: role as HqRole,
            password: readStdin(),
          },
          new Date(),
        )
        out(`HQ staff ${values.id} added; they enrol their authenticator at first sign-in`, {
          staffId: values.id,
        })
        return 0
      }
      case 'hq-staff list': {
        const list = await listHqStaff(db, hq.actor)
        out(
          list.map((s) => `${s.staffId}  ${s.role}  ${s.name}${s.active ? '' : '  (disabled)'}`).join('\n'),
          list,
        )
        return 0
      }
      case 'hq-audit list': {
        const page = await listHqAudit(db, { actor: values.actor, action: values.action })
        out(
          page.items.map((a) => `${a.id}  ${a.at}  ${a.actor}  ${a.action}  ${a.entityKey}`).join('\n') ||
            '(none)',
          page,
        )
        return 0
      }
      case 'hq-audit verify': {
        const verdict = await verifyHqAudit(db)
        out(
          verdict.ok
            ? `HQ audit intact: ${verdict.rows} rows`
            : `HQ audit broken at row ${verdict.brokenAt} (${verdict.reason})`,
          verdict,
        )
        return verdict.ok ? 0 : 1
      }
      case 'workstations revoke':
        await revokeWorkstation(hq.context(), need('client', values.client))
        out(`workstation ${values.client} revoked`, { clientId: values.client })
        return 0
      case 'demo': {
        const made = await hq.demo()
        out(
          `demo bank: branch 001, ${made.customers} customers, ${made.stock} tokens in stock; HQ staff ${made.hqStaff.join(' ')}`,
          made,
        )
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
    const problems = (e as { details?: { problems?: CsvProblem[] } }).details?.problems
    console.error(
      `central: ${problems ? `nothing imported:\n${problems.map(describeProblem).join('\n')}` : e.message}`,
    )
    process.exit(2)
  },
)
