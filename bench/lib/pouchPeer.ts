// The peer an offline-first team would pick instead: PouchDB replicating to a PouchDB server
// (express-pouchdb) over 127.0.0.1, both in memory. The documents carry what a revocation request does.
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// PouchDB ships CommonJS without types; only the replication and bulk calls below are used.
interface PouchDb {
  bulkDocs(docs: object[]): Promise<unknown>
  replicate: { to(url: string, options?: object): Promise<{ docs_written: number }> }
  destroy(): Promise<unknown>
}
type PouchCtor = { new (name: string, options?: object): PouchDb; defaults(o: object): PouchCtor }

const load = createRequire(__filename)
type Pluggable = { plugin(p: unknown): Pluggable }
const PouchDB = (load('pouchdb-core') as Pluggable)
  .plugin(load('pouchdb-adapter-memory'))
  .plugin(load('pouchdb-adapter-http'))
  .plugin(load('pouchdb-replication'))
  .plugin(load('pouchdb-mapreduce')) as unknown as PouchCtor
const expressPouchDb = load('express-pouchdb') as (
  db: PouchCtor,
  options: object,
) => Parameters<typeof createServer>[1]

let serial = 0
// One server per process: express-pouchdb keeps process-wide state, and a second instance fails.
let peer: Promise<{ server: Server; port: number; dir: string }> | null = null

function startPeer() {
  peer ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-desk-pouch-'))
    const app = expressPouchDb(PouchDB.defaults({ adapter: 'memory' }), {
      mode: 'minimumForPouchDB',
      inMemoryConfig: true,
      logPath: join(dir, 'log.txt'),
    })
    const server = createServer(app)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return { server, port: (server.address() as { port: number }).port, dir }
  })()
  return peer
}

export async function stopPouchPeer(): Promise<void> {
  if (!peer) return
  const { server, dir } = await peer
  peer = null
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(dir, { recursive: true, force: true })
}

/** Replicates `count` queued revocation-request documents to a fresh server database; returns milliseconds. */
export async function pouchReplicate(count: number): Promise<number> {
  const { port } = await startPeer()
  const local = new PouchDB(`outbox-${++serial}`, { adapter: 'memory' })
  const docs = Array.from({ length: count }, (_, i) => ({
    _id: `m${String(i + 1).padStart(8, '0')}`,
    name: 'revocation.request',
    args: {
      requestId: crypto.randomUUID(),
      cif: String(3_000_001 + i),
      tokenUid: null,
      channel: 'in_person',
      reason: 'unneeded',
      identity: { kind: 'passport', last4: '1234' },
    },
    createdAt: new Date().toISOString(),
    actor: 'T001',
  }))
  for (let i = 0; i < docs.length; i += 1000) await local.bulkDocs(docs.slice(i, i + 1000))
  const start = performance.now()
  const result = await local.replicate.to(`http://127.0.0.1:${port}/central-${serial}`)
  const elapsed = performance.now() - start
  if (result.docs_written !== count) throw new Error(`PouchDB wrote ${result.docs_written} of ${count}`)
  await local.destroy()
  // The server's copy goes too: its documents live in this process's memory, where Token Desk's central
  // runs next, and would otherwise load its garbage collector for the rest of the run.
  await new PouchDB(`http://127.0.0.1:${port}/central-${serial}`).destroy()
  return elapsed
}
