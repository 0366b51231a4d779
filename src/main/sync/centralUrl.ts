/**
 * Seeds travel in pulls, so central must be reached over TLS; plain HTTP is allowed only to the
 * loopback address (a central on the same machine, as in tests and demos).
 */
export function checkCentralUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new Error('not a URL')
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || /^127\./.test(url.hostname)
  if (url.protocol === 'https:') return url
  if (url.protocol === 'http:' && loopback) return url
  throw new Error('central must be https:// (plain http only on the loopback address)')
}
