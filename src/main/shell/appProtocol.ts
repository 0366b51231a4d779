import { readFile } from 'node:fs/promises'
import nodePath from 'node:path'
import type { CustomScheme } from 'electron'
import { CONTENT_SECURITY_POLICY } from '../security/csp'

/**
 * The renderer is served from `app://token-desk/…` rather than `file://`: the page's origin is the same
 * wherever IT installs the app (`D:\`, `d:\`, a folder with `#`, `%` or Japanese in its name), so the
 * IPC sender check compares one fixed origin; `file://` pages get privileges a web page never has (the
 * grantFileProtocolExtraPrivileges fuse is off in electron-builder.yml); and only the renderer's own
 * folder can be read through it.
 */
export const APP_SCHEME = 'app'
export const APP_HOST = 'token-desk'
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/** Registered before the app is ready: a standard, secure scheme whose pages may load ES modules. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
}

/** Whether `url` is a page of the app: `app://token-desk/…` (Node's URL gives no origin for it). */
export function isAppUrl(url: URL): boolean {
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
}

/**
 * The file under `root` an `app://token-desk/…` URL names, or null: another host, a path that is not
 * percent-decodable, or one that leaves `root` once decoded (`%2e%2e%2f`, `..%5c` on Windows, a drive
 * letter). `path` is the platform's (tests pass `path.win32` for Windows folders).
 */
export function rendererFile(
  url: string,
  root: string,
  path: Pick<typeof nodePath, 'resolve' | 'relative' | 'isAbsolute'> = nodePath,
): string | null {
  let parsed: URL
  let pathname: string
  try {
    parsed = new URL(url)
    pathname = decodeURIComponent(parsed.pathname)
  } catch {
    return null
  }
  if (!isAppUrl(parsed) || pathname.includes('\0')) return null
  const file = path.resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`)
  const inside = path.relative(path.resolve(root), file)
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return null
  return file
}

/** Answers a request to the app's scheme from the built renderer folder (`protocol.handle`'s handler). */
export async function serveRendererFile(request: Request, root: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 })
  const file = rendererFile(request.url, root)
  if (!file) return new Response(null, { status: 404 })
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    return new Response(null, { status: 404 })
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    headers: {
      'content-type': CONTENT_TYPES[nodePath.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
    },
  })
}
