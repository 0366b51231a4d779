import type { BrowserWindowConstructorOptions } from 'electron'
import { APP_PAGE_URL, isAppUrl } from './appProtocol'

/**
 * The main window's options, kept free of Electron's code (types only) so a Node unit test can hold
 * them to Electron's security checklist. DevTools only where the app is not packaged.
 */
export function mainWindowOptions(preloadPath: string, options: { devTools?: boolean } = {}) {
  return {
    width: 1280,
    height: 820,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    title: 'Token Desk',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: options.devTools ?? false,
      // A middle click on a link would open it through the auxclick event; the app has no use for it.
      disableBlinkFeatures: 'Auxclick',
    },
  } satisfies BrowserWindowConstructorOptions
}

/**
 * The page the window loads: the built renderer through the app's scheme, or in development (never in
 * a packaged build) the electron-vite dev server ELECTRON_RENDERER_URL names, on this machine only.
 */
export function rendererUrl(isPackaged: boolean, env: NodeJS.ProcessEnv): string {
  const dev = env['ELECTRON_RENDERER_URL']
  if (isPackaged || !dev) return APP_PAGE_URL
  try {
    const url = new URL(dev)
    if (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
      return url.href
  } catch {
    // Not a URL: the built renderer.
  }
  return APP_PAGE_URL
}

/** Same page origin: `app://token-desk` for the built renderer, the dev server's origin in development. */
function sameOrigin(url: URL, app: URL): boolean {
  if (isAppUrl(app)) return isAppUrl(url)
  return url.origin === app.origin
}

/** IPC is answered only for the app's own top frame: not a subframe, not a page it was navigated to. */
export function isTrustedSender(
  frame: { url: string; isMainFrame: boolean } | null,
  appUrl: string,
): boolean {
  if (!frame || !frame.isMainFrame) return false
  try {
    return sameOrigin(new URL(frame.url), new URL(appUrl))
  } catch {
    return false
  }
}

/** Only the app's own page may be shown: any other navigation is refused. */
export function isAllowedNavigation(targetUrl: string, appUrl: string): boolean {
  return isTrustedSender({ url: targetUrl, isMainFrame: true }, appUrl)
}
