/**
 * The console's one way to central: same-origin fetch, the session cookie sent by the browser (HttpOnly,
 * never readable here), and the CSRF token the sign-in gave us on every change. A refusal becomes a
 * ConsoleError with central's code; screens show the i18n words for it, never central's text.
 */
export class ConsoleError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(code)
  }
}

let csrfToken: string | null = null
let onSignedOut: (() => void) | null = null

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Called when central says the session is gone (idle, expired or signed out elsewhere). */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {}
  if (method === 'POST') {
    headers['content-type'] = 'application/json'
    if (csrfToken) headers['x-csrf-token'] = csrfToken
  }
  let response: Response
  try {
    response = await fetch(`/console/api${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    })
  } catch {
    throw new ConsoleError('UNREACHABLE', 0)
  }
  const text = await response.text()
  let parsed: unknown = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    throw new ConsoleError('TRY_LATER', response.status)
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; details?: Record<string, unknown> } } | null)?.error
    const code = error?.code ?? 'TRY_LATER'
    if (code === 'UNAUTHENTICATED' && path !== '/session') onSignedOut?.()
    throw new ConsoleError(code, response.status, error?.details ?? {})
  }
  return parsed as T
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}
