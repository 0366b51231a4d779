import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ChannelInput, ChannelName, ChannelOutput, SessionInfo } from '../../../shared/contract'
import type { AppError, Result } from '../../../shared/result'
import { invoke } from '../api/invoke'

/**
 * Who is logged in at this window, whether the screen is locked, and the one way views call the main
 * process: `call` also notices a lock or a lost session that the service reports.
 */
export const useSessionStore = defineStore('session', () => {
  const session = ref<SessionInfo | null>(null)
  const dbProblem = ref<string | null>(null)
  /** The PC's data key cannot be read: only the screen that starts the PC anew is shown. */
  const keyLost = ref(false)
  const ready = ref(false)
  /** An empty database (issue 8): the PC opens on 端末の初期設定 instead of the login. */
  const needsSetup = ref(false)
  const locked = computed(() => session.value?.locked ?? false)

  async function call<C extends ChannelName>(
    channel: C,
    input: ChannelInput<C>,
  ): Promise<Result<ChannelOutput<C>>> {
    const result = await invoke(channel, input)
    if (!result.ok) noticeError(result.error)
    return result
  }

  function noticeError(error: AppError): void {
    if (error.code === 'SESSION_LOCKED' && session.value) session.value = { ...session.value, locked: true }
    if (error.code === 'UNAUTHENTICATED') session.value = null
    // HQ reset the password while this person was logged in: the router sends them to set a new one.
    if (error.code === 'PASSWORD_CHANGE_REQUIRED' && session.value)
      session.value = { ...session.value, mustChangePassword: true }
    if (error.code === 'DB_CORRUPT') dbProblem.value = error.message
    if (error.code === 'KEY_LOST') keyLost.value = true
  }

  async function load(): Promise<void> {
    const status = await invoke('app.status', {})
    if (status.ok && status.value.state === 'corrupt') dbProblem.value = status.value.message ?? ''
    keyLost.value = status.ok && status.value.state === 'keyLost'
    needsSetup.value = status.ok && status.value.needsSetup
    const current = await invoke('auth.session', {})
    session.value = current.ok ? current.value : null
    ready.value = true
  }

  async function login(staffId: string, password: string): Promise<Result<SessionInfo>> {
    const result = await call('auth.login', { staffId, password })
    if (result.ok) session.value = result.value
    return result
  }

  async function logout(): Promise<void> {
    await call('auth.logout', {})
    session.value = null
  }

  async function lock(): Promise<void> {
    const result = await call('auth.lock', {})
    if (result.ok) session.value = result.value
  }

  async function unlock(password: string): Promise<Result<SessionInfo>> {
    const result = await call('auth.unlock', { password })
    if (result.ok) session.value = result.value
    return result
  }

  function replace(next: SessionInfo): void {
    session.value = next
  }

  /** Reads the session again, e.g. after the first password change cleared mustChangePassword. */
  async function reloadSession(): Promise<void> {
    const current = await invoke('auth.session', {})
    if (current.ok) session.value = current.value
  }

  function setupFinished(): void {
    needsSetup.value = false
  }

  return {
    session,
    dbProblem,
    keyLost,
    ready,
    locked,
    needsSetup,
    call,
    load,
    login,
    logout,
    lock,
    unlock,
    replace,
    reloadSession,
    setupFinished,
  }
})
