import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCentralCli } from '../support/centralCli'

let dir: string
let dbFile: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'token-desk-hq-cli-'))
  dbFile = join(dir, 'central.sqlite')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function central(args: string[], stdin = '') {
  return runCentralCli(dbFile, args, stdin)
}

describe('HQ staff and the HQ audit from the command line', () => {
  it('creates the first HQ admin with the password on stdin, and refuses a weak password or a taken ID', () => {
    expect(
      central(
        ['hq-staff', 'add', '--id', 'HQ900', '--name', '初代 管理者', '--role', 'hq_admin'],
        'a-long-admin-pass\n',
      ),
    ).toMatchObject({
      status: 0,
      json: { staffId: 'HQ900' },
    })
    const weak = central(
      ['hq-staff', 'add', '--id', 'HQ901', '--name', '短い', '--role', 'hq_admin'],
      'short\n',
    )
    expect(weak.status).not.toBe(0)
    expect(weak.stderr).toMatch(/at least 10 characters/)
    const taken = central(
      ['hq-staff', 'add', '--id', 'HQ900', '--name', '重複', '--role', 'hq_operator'],
      'another-long-pass\n',
    )
    expect(taken.stderr).toMatch(/already exists/)
    const role = central(
      ['hq-staff', 'add', '--id', 'HQ902', '--name', '役割', '--role', 'teller'],
      'another-long-pass\n',
    )
    expect(role.stderr).toMatch(/role is one of hq_operator, hq_supervisor, hq_admin/)
  })

  it('adds the demo HQ office once and lists HQ staff without secrets', () => {
    expect(central(['hq-staff', 'add', '--demo'])).toMatchObject({
      status: 0,
      json: { added: ['HQ001', 'HQ002', 'HQ101', 'HQ901'] },
    })
    expect(central(['hq-staff', 'add', '--demo']).json).toEqual({ added: [] })
    const list = central(['hq-staff', 'list']).json as { staffId: string; totpEnrolled: boolean }[]
    expect(list.map((s) => [s.staffId, s.totpEnrolled])).toEqual([
      ['HQ001', true],
      ['HQ002', true],
      ['HQ101', true],
      ['HQ900', false],
      ['HQ901', true],
    ])
    expect(JSON.stringify(list)).not.toMatch(/scrypt|password|secret/i)
  })

  it('dry-runs a customer CSV: problems by line, nothing imported', () => {
    expect(central(['branch', 'add', '--code', '001', '--name', '本店営業部']).status).toBe(0)
    const csv = join(dir, 'customers.csv')
    writeFileSync(
      csv,
      'cif,branch,name_kanji,name_kana,birth_date,phone,accounts\n' +
        '4000001,001,山形 太郎,ヤマガタ タロウ,1980-01-02,023,001-futsu-4000001\n' +
        '4000002,002,酒田 花子,サカタ ハナコ,1990-03-04,090,001-futsu-4000002\n',
    )
    const dry = central(['customers', 'import', '--file', csv, '--dry-run'])
    expect(dry.status).toBe(1)
    expect(dry.json).toMatchObject({
      rows: 2,
      problemCount: 1,
      problems: [{ line: 3, code: 'UNKNOWN_BRANCH' }],
    })
    const refused = central(['customers', 'import', '--file', csv])
    expect(refused.stderr).toMatch(/line 3: unknown branch \(002\)/)
  })

  it('verifies the HQ audit chain that every HQ command wrote', () => {
    const verdict = central(['hq-audit', 'verify'])
    expect(verdict).toMatchObject({ status: 0, json: { ok: true } })
    const page = central(['hq-audit', 'list']).json as { items: { actor: string; action: string }[] }
    expect(page.items.map((i) => [i.actor, i.action])).toContainEqual(['hq-cli', 'branch.add'])
    expect(page.items.filter((i) => i.action === 'hq_staff.add')).toHaveLength(5)
  })
})
