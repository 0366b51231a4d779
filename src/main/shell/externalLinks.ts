/**
 * Which outside pages the app may hand to the user's browser (shell.openExternal). Opening any https URL
 * would let a page that gets scripted (or a crafted link in data) start other programs' URL handlers, so
 * only these hosts are allowed, over https, on the default port, without credentials in the URL.
 *
 * The app links to no outside page today, so the list is empty and every request is refused. A host
 * added here needs a security review (docs/security.md, "Electron").
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = []

export function isAllowedExternal(
  url: string,
  allowedHosts: readonly string[] = EXTERNAL_LINK_HOSTS,
): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === '' &&
    allowedHosts.includes(parsed.hostname.toLowerCase())
  )
}

/**
 * What the main window does when a page asks for a new window (window.open, target=_blank, a middle
 * click): never a window inside the app; an allowed outside page opens in the user's browser.
 */
export function windowOpenDecision(
  url: string,
  allowedHosts: readonly string[] = EXTERNAL_LINK_HOSTS,
): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: isAllowedExternal(url, allowedHosts) }
}

/** The app needs no permission (camera, microphone, notifications, geolocation, …): all are refused. */
export const ALLOWED_PERMISSIONS: readonly string[] = []

export function permissionAllowed(permission: string): boolean {
  return ALLOWED_PERMISSIONS.includes(permission)
}
