import { describe, expect, it } from 'vitest'
import { startCentral } from '../support/central'

describe('central’s graceful shutdown', () => {
  it('finishes the push in flight before it closes', async () => {
    const central = await startCentral('sqlite')
    try {
      const enrolled = (await (
        await fetch(`${central.url}/v1/enroll`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            branchCode: '001',
            enrollmentCode: await central.enrollmentCode(),
            workstationName: 'pc',
          }),
        })
      ).json()) as { clientId: string; secret: string }
      const cifs = await central.db('customers').where({ otp_status: 'in_use' }).limit(300).pluck('cif')
      const mutations = cifs.map((cif, i) => ({
        id: i + 1,
        name: 'token.suspend',
        args: { requestId: crypto.randomUUID(), cif, tokenUid: null, reason: 'lost' },
        createdAt: '2026-11-25T01:00:00Z',
        actor: 'T001',
      }))
      const push = fetch(`${central.url}/v1/sync/push`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${enrolled.clientId}.${enrolled.secret}`,
        },
        body: JSON.stringify({ clientId: enrolled.clientId, schemaVersion: 1, mutations }),
      })
      await new Promise((r) => setTimeout(r, 20))
      const closing = central.app.close()
      const response = await push
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ lastMutationId: cifs.length })
      await closing
      expect(await central.db('mutations').pluck('id')).toHaveLength(cifs.length)
    } finally {
      await central.close()
    }
  })
})
