import { authenticator } from 'otplib'
import { DEMO_HQ_TOTP } from '../../src/central/hqStaff'

/** The code the demo HQ authenticator shows at `at` (central's clock in the test). */
export function hqCode(at: Date = new Date(), secret = DEMO_HQ_TOTP): string {
  return authenticator.clone({ epoch: at.getTime() }).generate(secret)
}

export interface ConsoleAnswer<T = unknown> {
  status: number
  body: T & { error?: { code: string; details?: Record<string, unknown> } }
  setCookie: string | null
}

/** A browser-like client of the console API: keeps the session cookie and sends the CSRF token on changes. */
export class ConsoleClient {
  cookie: string | null = null
  csrfToken: string | null = null

  constructor(readonly baseUrl: string) {}

  async call<T = unknown>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    options: { csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<ConsoleAnswer<T>> {
    const headers: Record<string, string> = { ...options.headers }
    if (this.cookie) headers['cookie'] = this.cookie
    if (method === 'POST') {
      headers['content-type'] = 'application/json'
      if (options.csrf !== false && this.csrfToken && !headers['x-csrf-token'])
        headers['x-csrf-token'] = this.csrfToken
    }
    const res = await fetch(`${this.baseUrl}/console/api${path}`, {
      method,
      headers,
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    })
    const setCookie = res.headers.get('set-cookie')
    if (setCookie) {
      const value = /td_hq_session=([^;]*)/.exec(setCookie)?.[1] ?? ''
      this.cookie = value ? `td_hq_session=${value}` : null
    }
    const text = await res.text()
    const parsed = (text ? JSON.parse(text) : {}) as ConsoleAnswer<T>['body']
    if (parsed && typeof parsed === 'object' && 'csrfToken' in parsed)
      this.csrfToken = (parsed as { csrfToken: string }).csrfToken
    return { status: res.status, body: parsed, setCookie }
  }

  get<T = unknown>(path: string) {
    return this.call<T>('GET', path)
  }

  post<T = unknown>(
    path: string,
    body?: unknown,
    options?: { csrf?: boolean; headers?: Record<string, string> },
  ) {
    return this.call<T>('POST', path, body, options)
  }

  async signIn(staffId: string, at: Date = new Date()): Promise<this> {
    const res = await this.post('/login', { staffId, password: `demo-${staffId}`, code: hqCode(at) })
    if (res.status !== 200) throw new Error(`sign-in of ${staffId} failed: ${JSON.stringify(res.body)}`)
    return this
  }
}
