import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { migrateCentral, openCentralDb } from '../../src/central/db'
import { buildCentral } from '../../src/central/server'
import { SecretBox } from '../../src/core/security/secretBox'

describe('central over TLS', () => {
  it('serves HTTPS with the given certificate and key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-desk-tls-'))
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      )
      const cert = readFileSync(join(dir, 'cert.pem'))
      const db = openCentralDb({ dbFile: join(dir, 'central.sqlite') })
      await migrateCentral(db)
      const app = buildCentral({
        db,
        secretBox: new SecretBox(randomBytes(32)),
        https: { cert, key: readFileSync(join(dir, 'key.pem')) },
      })
      const address = await app.listen({ host: '127.0.0.1', port: 0 })
      expect(address).toMatch(/^https:\/\//)
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(`${address}/health`, { ca: cert }, (res) => {
          let data = ''
          res.on('data', (c: Buffer) => (data += c.toString()))
          res.on('end', () => resolve(data))
        })
        req.on('error', reject)
        req.end()
      })
      expect(JSON.parse(body)).toEqual({ ok: true })
      await app.close()
      await db.destroy()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
