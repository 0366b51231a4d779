import { timingSafeEqual } from 'node:crypto'

/** Who a verified credential belongs to (central's `clients` row, as a request needs it). */
export interface VerifiedClient {
  client_id: string
  branch_code: string
  last_mutation_id: number
  /** sha256 of the secret the request presented: push and pull compare it with the row they lock. */
  secretHash: string
}

/**
 * Credentials verified recently, so a PC's push and the pull that follows it do not each read its
 * `clients` row just to check the secret (issue 11: 200 PCs each calling twice every 10 s). Only the
 * secret's sha256 is kept, compared in constant time, never the secret. An entry is a shortcut, not a
 * grant: push and pull read the PC's row inside their transaction anyway and refuse there if the PC
 * was revoked or its secret replaced since (`stillValid`), so a revocation takes effect on the very
 * next request. Entries expire after a minute; the map is bounded.
 */
export class CredentialCache {
  private readonly entries = new Map<string, { hash: Buffer; client: VerifiedClient; until: number }>()

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  get(clientId: string, secretHash: string, nowMs: number): VerifiedClient | null {
    const entry = this.entries.get(clientId)
    if (!entry) return null
    const given = Buffer.from(secretHash)
    if (entry.until < nowMs || given.length !== entry.hash.length || !timingSafeEqual(given, entry.hash)) {
      this.entries.delete(clientId)
      return null
    }
    return entry.client
  }

  remember(client: VerifiedClient, nowMs: number): void {
    // A full map is emptied rather than tracked entry by entry: at worst every PC reads its row once more.
    if (this.entries.size >= this.maxEntries) this.entries.clear()
    this.entries.set(client.client_id, {
      hash: Buffer.from(client.secretHash),
      client,
      until: nowMs + this.ttlMs,
    })
  }

  forget(clientId: string): void {
    this.entries.delete(clientId)
  }
}

/** The PC's row, read in the request's transaction, still accepts the credential the request presented. */
export function stillValid(
  row: { secret_hash?: unknown; revoked_at?: unknown } | undefined,
  client: VerifiedClient,
): boolean {
  if (!row || row.revoked_at) return false
  const stored = Buffer.from(String(row.secret_hash))
  const given = Buffer.from(client.secretHash)
  return stored.length === given.length && timingSafeEqual(stored, given)
}
