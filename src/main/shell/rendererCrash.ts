/** How long after an automatic reload a second failure of the page shows the error page instead. */
export const RELOAD_AGAIN_AFTER_MS = 10 * 60_000

/** How long the window waits for its first paint before it is shown anyway (a page stuck loading). */
export const SHOW_FALLBACK_MS = 10_000

/**
 * What to do when the page's process is gone (a crash, out of memory, killed): reload it once; if it
 * goes again soon after, show the error page rather than reload in a loop. A clean exit (the window
 * closing) is nothing to do.
 */
export class RendererCrashPolicy {
  private lastReloadAt: number | undefined

  decide(reason: string, now: number): 'nothing' | 'reload' | 'errorPage' {
    if (reason === 'clean-exit') return 'nothing'
    if (this.lastReloadAt !== undefined && now - this.lastReloadAt < RELOAD_AGAIN_AFTER_MS) return 'errorPage'
    this.lastReloadAt = now
    return 'reload'
  }
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * The page shown when the app's page keeps failing: plain HTML without scripts (nothing to break),
 * Japanese first, then English, with where the log is. Loaded as a data: URL, so it is no app page and
 * the IPC sender check refuses anything from it.
 */
export function crashPageUrl(logFile: string | null): string {
  const where = escape(logFile ?? '—')
  const html = `<!doctype html><html lang="ja"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Token Desk</title>
<style>body{font-family:"Noto Sans JP","Yu Gothic UI","Meiryo",sans-serif;margin:48px;color:#1f2d3d;line-height:1.7}
h1{font-size:22px;color:#b3261e}p{max-width:44em}code{background:#f2f4f7;padding:2px 4px}</style></head>
<body><main><h1>画面が続けて停止しました</h1>
<p>Token Desk の画面の処理が続けて停止したため、表示を止めました。入力中の内容は保存されていない可能性があります。保存済みの記録は失われていません。</p>
<p>Token Desk を閉じて（Alt+F4）、もう一度起動してください。続く場合は、システム担当者にログ <code>${where}</code> を伝えてください。</p>
<h1 lang="en">The screen stopped again</h1>
<p lang="en">Token Desk's screen stopped twice in a row, so it is no longer shown. What was being typed may not have been saved; saved records are not lost.</p>
<p lang="en">Close Token Desk (Alt+F4) and start it again. If it happens again, tell IT where the log is: <code>${where}</code>.</p>
</main></body></html>`
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`
}
