/* global window, document, MutationObserver, requestAnimationFrame, */
// Runs in the page before the app (bench/renderer.ts): marks when the login form and each new page of
// search results are painted. A mutation observer sees the element; the next animation frame is when it
// is on screen.
window.searchPaints = []
let enterAt = 0
let before = ''
document.addEventListener(
  'keydown',
  (e) => {
    if (e.key !== 'Enter' || !e.target.closest('[data-testid="search-query"]')) return
    enterAt = performance.now()
    before = document.querySelector('[data-testid="search-results"] tbody')?.innerHTML ?? ''
  },
  true,
)
new MutationObserver(() => {
  if (window.loginPainted === undefined && document.querySelector('[data-testid="login-staff-id"]'))
    requestAnimationFrame(() => (window.loginPainted ??= performance.now()))
  const rows = document.querySelector('[data-testid="search-results"] tbody')?.innerHTML ?? ''
  if (enterAt && rows && rows !== before) {
    const started = enterAt
    enterAt = 0
    requestAnimationFrame(() => window.searchPaints.push(performance.now() - started))
  }
}).observe(document, { childList: true, subtree: true })
