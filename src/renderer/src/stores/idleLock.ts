import { watch } from 'vue'
import { useSessionStore } from './session'

const ACTIVITY_EVENTS = ['keydown', 'mousedown', 'mousemove', 'wheel', 'touchstart'] as const

/**
 * Locks the screen after the configured idle time (DOMAIN.md: 5 minutes by default). Activity is also
 * reported to the service now and then, because the service keeps its own idle lock as well.
 */
export function startIdleLock(): void {
  const store = useSessionStore()
  let lastActivity = Date.now()
  let lastHeartbeat = Date.now()

  const onActivity = () => {
    if (!store.session || store.locked) return
    lastActivity = Date.now()
    const idleMs = store.session.idleLockSeconds * 1000
    if (lastActivity - lastHeartbeat > Math.min(30_000, idleMs / 3)) {
      lastHeartbeat = lastActivity
      void store.call('auth.heartbeat', {})
    }
  }
  for (const name of ACTIVITY_EVENTS)
    window.addEventListener(name, onActivity, { passive: true, capture: true })

  watch(
    () => [store.session?.staffId, store.locked],
    () => {
      lastActivity = Date.now()
      lastHeartbeat = Date.now()
    },
  )

  window.setInterval(() => {
    if (!store.session || store.locked) return
    if (Date.now() - lastActivity >= store.session.idleLockSeconds * 1000) void store.lock()
  }, 500)
}
