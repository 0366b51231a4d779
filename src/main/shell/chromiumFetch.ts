import type { Net } from 'electron'

/**
 * Chromium's network errors that mean the request never left this PC, as the Node error codes the sync
 * client reads them by (it takes back the mutation numbers of a push that certainly never reached
 * central, so a suspension made meanwhile is still sent first).
 */
const NEVER_SENT: Record<string, string> = {
  'net::ERR_CONNECTION_REFUSED': 'ECONNREFUSED',
  'net::ERR_NAME_NOT_RESOLVED': 'ENOTFOUND',
  'net::ERR_NAME_RESOLUTION_FAILED': 'EAI_AGAIN',
  'net::ERR_ADDRESS_UNREACHABLE': 'EHOSTUNREACH',
  'net::ERR_INTERNET_DISCONNECTED': 'ENETUNREACH',
  'net::ERR_PROXY_CONNECTION_FAILED': 'ECONNREFUSED',
}

/**
 * The desktop app's HTTP client for central: Electron's `net.fetch`, which goes through Chromium's
 * network stack and so uses the Windows certificate store (a bank's internal CA, TLS inspection) and
 * the system proxy (PAC/WPAD, NTLM/Kerberos), where Node's fetch uses neither.
 */
export function chromiumFetch(netFetch: Net['fetch']): typeof fetch {
  return async (input, init) => {
    const url = input instanceof URL ? input.href : input
    try {
      return await netFetch(url, init)
    } catch (e) {
      const chromiumCode = e instanceof Error ? /net::ERR_[A-Z_]+/.exec(e.message)?.[0] : undefined
      const code = chromiumCode && NEVER_SENT[chromiumCode]
      if (!code) throw e
      throw new TypeError(`fetch failed: ${chromiumCode}`, { cause: Object.assign(e as Error, { code }) })
    }
  }
}
