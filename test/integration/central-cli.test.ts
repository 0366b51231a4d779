import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCentralCli } from '../support/centralCli'

let dir: string
let dbFile: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'token-desk-cli-'))
  dbFile = join(dir, 'central.sqlite')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function central(args: string[], stdin = '') {
  return runCentralCli(dbFile, args, stdin)
}

describe('the HQ command line', () => {
  it('adds a branch and staff (password on stdin, never on the command line)', () => {
    expect(central(['branch', 'add', '--code', '001', '--name', '本店営業部'])).toMatchObject({ status: 0 })
    expect(
      central(
        ['staff', 'add', '--branch', '001', '--id', 'S001', '--name', '鈴木 一郎', '--role', 'supervisor'],
        'Superv1sor-pass\n',
      ),
    ).toMatchObject({
      status: 0,
      json: { staffId: 'S001' },
    })
    const weak = central(
      ['staff', 'add', '--branch', '001', '--id', 'T001', '--name', '山田', '--role', 'teller'],
      'short\n',
    )
    expect(weak.status).not.toBe(0)
    expect(weak.stderr).toMatch(/at least 8/)
  })

  it('imports RFC 6030 containers; a tampered MAC imports nothing; duplicates are reported, not overwritten', () => {
    const figure6 = 'test/fixtures/pskc/rfc6030-figure6.xml'
    const tampered = join(dir, 'tampered.xml')
    writeFileSync(
      tampered,
      readFileSync(figure6, 'utf8').replace('Su+NvtQfmvfJzF6bmQiJqoLRExc=', 'Su+NvtRfmvfJzF6bmQiJqoLRExc='),
    )
    const refused = central([
      'tokens',
      'import-pskc',
      '--file',
      tampered,
      '--key',
      '12345678901234567890123456789012',
    ])
    expect(refused.status).not.toBe(0)
    expect(refused.stderr).toMatch(/MAC/)

    expect(
      central(['tokens', 'import-pskc', '--file', figure6, '--key', '12345678901234567890123456789012']),
    ).toMatchObject({
      status: 0,
      json: { imported: 1, duplicates: [] },
    })
    expect(
      central(
        ['tokens', 'import-pskc', '--file', 'test/fixtures/pskc/rfc6030-figure7.xml', '--password-stdin'],
        'qwerty\n',
      ),
    ).toMatchObject({
      status: 0,
      json: { imported: 0, duplicates: ['987654321'] },
    })
  })

  it('verifies a device OTP once (RFC 4226 vector, 8 digits); the same counter is not accepted twice', () => {
    expect(central(['otp', 'verify', '--serial', '987654321', '--otp', '84755224'])).toMatchObject({
      status: 0,
      json: { valid: true },
    })
    expect(central(['otp', 'verify', '--serial', '987654321', '--otp', '84755224'])).toMatchObject({
      status: 1,
      json: { valid: false },
    })
    expect(central(['otp', 'verify', '--serial', '987654321', '--otp', '94287082'])).toMatchObject({
      status: 0,
      json: { valid: true },
    })
  })

  it('allocates tokens to a branch and imports customers from CSV (with a BOM)', () => {
    expect(central(['tokens', 'allocate', '--branch', '001', '--serial', '987654321'])).toMatchObject({
      status: 0,
      json: { serials: ['987654321'] },
    })
    const csv = join(dir, 'customers.csv')
    writeFileSync(
      csv,
      '\uFEFFcif,branch,name_kanji,name_kana,birth_date,phone,accounts,otp_status\n' +
        '2000001,001,山形 太郎,ヤマガタ タロウ,1980-01-02,023-600-0001,001-futsu-2000001,token_issued\n' +
        '2000002,001,酒田 花子,サカタ ハナコ,1990-03-04,090-1111-2222,001-futsu-2000002;001-chochiku-2000003,\n',
    )
    expect(central(['customers', 'import', '--file', csv])).toMatchObject({
      status: 0,
      json: { imported: 2, updated: 0 },
    })
    expect(central(['customers', 'activate', '--cif', '2000001'])).toMatchObject({
      status: 0,
      json: { otpStatus: 'in_use' },
    })
    expect(central(['customers', 'activate', '--cif', '2000002']).status).not.toBe(0)

    const bad = join(dir, 'bad.csv')
    writeFileSync(
      bad,
      'cif,branch,name_kanji,name_kana,birth_date,phone,accounts\n12,001,x,y,1980-01-02,0,001-futsu-1\n',
    )
    const refused = central(['customers', 'import', '--file', bad])
    expect(refused.status).not.toBe(0)
    expect(refused.stderr).toMatch(/nothing imported/)
  })

  it('lists revocations and explains a bad command', () => {
    expect(central(['revocations', 'list', '--state', 'pending'])).toMatchObject({ status: 0, json: [] })
    const unknown = central(['frobnicate'])
    expect(unknown.status).not.toBe(0)
    expect(unknown.stderr).toMatch(/unknown command/)
    expect(central(['revocations', 'complete', '--id', 'nope']).stderr).toMatch(/no revocation/)
  })
})
