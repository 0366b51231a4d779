import type { ChannelInput, ChannelName, ChannelOutput } from '../../../shared/contract'
import type { Result } from '../../../shared/result'

// Kept equal to src/main/bridge/server.ts (a test checks it).
const TOKEN_HEADER = 'x-token-desk-token'
const CLIENT_HEADER = 'x-token-desk-client'

/**
 * Browser mode: the launcher's URL carries the per-launch token once; it is kept for this tab only
 * and taken out of the address bar.
 */
function bridgeCredentials(): { token: string; client: string } {
  const params = new URLSearchParams(window.location.search)
  const fromUrl = params.get('token')
  if (fromUrl) {
    sessionStorage.setItem('td.token', fromUrl)
    params.delete('token')
    const query = params.toString()
    window.history.replaceState(
      null,
      '',
      `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`,
    )
  }
  let client = sessionStorage.getItem('td.client')
  if (!client) {
    client = crypto.randomUUID()
    sessionStorage.setItem('td.client', client)
  }
  return { token: sessionStorage.getItem('td.token') ?? '', client }
}

let credentials: { token: string; client: string } | undefined

async function overHttp(channel: string, input: unknown): Promise<unknown> {
  credentials ??= bridgeCredentials()
  const response = await fetch('/api/invoke', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [TOKEN_HEADER]: credentials.token,
      [CLIENT_HEADER]: credentials.client,
    },
    body: JSON.stringify({ channel, input }),
  })
  if (response.status === 401) {
    return { ok: false, error: { code: 'UNREACHABLE', message: 'the bridge refused this page’s token' } }
  }
  return response.json()
}

/** Calls a channel: through the preload in Electron, through the HTTP bridge in a browser. */
export async function invoke<C extends ChannelName>(
  channel: C,
  input: ChannelInput<C>,
): Promise<Result<ChannelOutput<C>>> {
  try {
    const answer = window.tokenDesk
      ? await window.tokenDesk.invoke(channel, input)
      : await overHttp(channel, input)
    return answer as Result<ChannelOutput<C>>
  } catch (e) {
    return { ok: false, error: { code: 'UNREACHABLE', message: String(e) } }
  }
}
