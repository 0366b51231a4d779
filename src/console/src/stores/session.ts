import { defineStore } from 'pinia'
import { api, ConsoleError, setCsrfToken } from '../api'
import type { HqRole, Me, SignIn } from '../types'

/** Who is signed in. The session itself is an HttpOnly cookie; only the CSRF token lives in memory. */
export const useSessionStore = defineStore('session', {
  state: () => ({
    me: null as Me | null,
    stage: null as SignIn['stage'] | null,
    expired: false,
  }),
  getters: {
    signedIn: (s) => s.stage === 'signed_in' && s.me !== null,
  },
  actions: {
    accept(answer: SignIn) {
      setCsrfToken(answer.csrfToken)
      this.me = answer.me
      this.stage = answer.stage
      this.expired = false
    },
    async load() {
      try {
        this.accept(await api.get<SignIn>('/session'))
      } catch (e) {
        if (!(e instanceof ConsoleError) || e.code !== 'UNAUTHENTICATED') throw e
        this.forget()
      }
    },
    async signIn(input: { staffId: string; password: string; code: string }) {
      const answer = await api.post<SignIn>('/login', input)
      this.accept(answer)
      return answer
    },
    async confirmTotp(code: string) {
      this.accept(await api.post<SignIn>('/login/totp', { code }))
    },
    async logout() {
      try {
        await api.post('/logout')
      } finally {
        this.forget()
      }
    },
    forget() {
      setCsrfToken(null)
      this.me = null
      this.stage = null
    },
    can(...roles: HqRole[]) {
      return this.me !== null && roles.includes(this.me.role)
    },
  },
})
