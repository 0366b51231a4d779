/**
 * The main window's options, kept free of 'electron' imports so a Node unit test can hold them to
 * Electron's security checklist.
 */
export function mainWindowOptions(preloadPath: string) {
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
      // A middle click on a link would open it through the auxclick event; the app has no use for it.
      disableBlinkFeatures: 'Auxclick',
    },
  }
}

/** IPC is answered only for the app's own top frame: not a subframe, not a page it was navigated to. */
export function isTrustedSender(
  frame: { url: string; isMainFrame: boolean } | null,
  appUrl: string,
): boolean {
  if (!frame || !frame.isMainFrame) return false
  try {
    const url = new URL(frame.url)
    const app = new URL(appUrl)
    if (app.protocol === 'file:') return url.protocol === 'file:' && url.pathname === app.pathname
    return url.origin === app.origin
  } catch {
    return false
  }
}

/** Only the app's own page may be shown: any other navigation is refused. */
export function isAllowedNavigation(targetUrl: string, appUrl: string): boolean {
  return isTrustedSender({ url: targetUrl, isMainFrame: true }, appUrl)
}
