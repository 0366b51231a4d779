import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FileKeyStore } from '../../src/core/security/keyStore'
import { SecretBox } from '../../src/core/security/secretBox'
import { CentralProcess, freePort } from '../support/centralProcess'
import { customerIn, issueHard, login, stockToken } from '../support/counter'
import { knownSecrets, secretsIn } from '../support/knownSecrets'
import { tempApp, type TempApp } from '../support/tempApp'

let central: CentralProcess | undefined
let branch: TempApp | undefined
afterAll(async () => {
  await central?.kill()
  await branch?.close()
})

describe('central’s logs at info level', () => {
  it('carry no seed, password, TOTP key, client secret or enrolment code through enrol, push, pull and errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-desk-central-logs-'))
    central = new CentralProcess(join(dir, 'central.sqlite'), await freePort())
    central.cli('demo')
    const code = (central.cli('enroll-code', '--branch', '001') as { code: string }).code
    await central.start('info')

    branch = await tempApp()
    await branch.services.syncClient.enroll({
      centralUrl: central.url,
      enrollmentCode: code,
      workstationName: 'pc',
    })
    await login(branch, 'pc', 'T001')
    const cif = await customerIn(branch, 'not_applied')
    expect(
      (await issueHard(branch, 'pc', cif, stockToken('totp'), { method: 'cash', tenderedYen: 1100 })).ok,
    ).toBe(true)
    await branch.services.syncClient.syncOnce()
    // Failures too: wrong credentials, a used enrolment code, a malformed body.
    await fetch(`${central.url}/v1/sync/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ws-001-x.wrongsecret' },
      body: '{}',
    })
    await fetch(`${central.url}/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ branchCode: '001', enrollmentCode: code, workstationName: 'again' }),
    })
    await fetch(`${central.url}/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    })

    const state = await branch.services.db('sync_state').first()
    const box = new SecretBox(new FileKeyStore(join(branch.dir, 'desk.key')).dataKey())
    const clientSecret = box.open(state.secret_sealed, `sync:${state.client_id}`).toString('utf8')
    expect(clientSecret.length).toBeGreaterThan(10)
    const log = central.log
    expect(log.split('\n').filter(Boolean).length).toBeGreaterThan(3)
    expect(secretsIn(log, knownSecrets())).toEqual([])
    expect(log).not.toContain(code)
    // The client's secret is sealed at the branch; the header that carried it must not be logged.
    expect(log).not.toMatch(/authorization/i)
    expect(log).not.toContain(clientSecret)
  }, 120_000)
})
