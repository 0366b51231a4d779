import { readFileSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channels, type ChannelName } from '../../src/shared/contract'
import { tempApp, type TempApp } from '../support/tempApp'
import {
  CALLERS,
  channelMatrixMarkdown,
  expectedAccess,
  MATRIX_BEGIN,
  MATRIX_END,
  type Caller,
} from './accessMatrix'

let app: TempApp
beforeAll(async () => {
  app = await tempApp()
})
afterAll(() => app.close())

const LOGIN = { teller: 'T001', supervisor: 'S001', admin: 'A001' } as const
let n = 0

/** A fresh client with a fresh session of that role (or none), so a logout in one cell cannot leak. */
async function clientAs(caller: Caller): Promise<string> {
  const key = `matrix-${n++}`
  if (caller !== 'none') {
    const staffId = LOGIN[caller]
    const login = await app.invoke(key, 'auth.login', { staffId, password: `demo-${staffId}` })
    expect(login.ok).toBe(true)
  }
  return key
}

const cells = (Object.keys(channels) as ChannelName[]).flatMap((name) =>
  CALLERS.map((caller) => [name, caller, expectedAccess(channels[name].access, caller)] as const),
)

describe('authorization matrix: every channel × {no session, teller, supervisor, admin}', () => {
  it.each(cells)('%s as %s → %s', async (name, caller, expected) => {
    const client = await clientAs(caller)
    // An empty input: an allowed caller gets past the access check to the schema (or the service).
    const result = await app.invoke(client, name, {})
    if (expected === 'allowed') {
      if (!result.ok) {
        expect(result.error.code).not.toBe('UNAUTHENTICATED')
        expect(result.error.message).not.toMatch(/role may not call/)
      }
    } else {
      expect(result).toMatchObject({ ok: false, error: { code: expected } })
    }
  })

  it('docs/security.md carries the same table, generated from the contract', () => {
    const doc = readFileSync('docs/security.md', 'utf8')
    const generated = `${MATRIX_BEGIN}\n\n${channelMatrixMarkdown()}\n\n${MATRIX_END}`
    const current = doc.slice(doc.indexOf(MATRIX_BEGIN), doc.indexOf(MATRIX_END) + MATRIX_END.length)
    // Prettier pads the table's columns; compare without the padding.
    const plain = (text: string) => text.replace(/ +/g, '').replace(/-+/g, '-')
    if (process.env['UPDATE_DOCS'] && plain(current) !== plain(generated))
      writeFileSync('docs/security.md', doc.replace(current, generated))
    expect(plain(current)).toBe(plain(generated))
  })
})
