import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import type { Role } from '../../../shared/domain'
import { useSessionStore } from '../stores/session'
import LoginView from '../views/LoginView.vue'
import HomeView from '../views/HomeView.vue'
import SearchView from '../views/SearchView.vue'
import IssuanceView from '../views/IssuanceView.vue'
import ReceiptView from '../views/ReceiptView.vue'
import StockView from '../views/StockView.vue'
import LedgerView from '../views/LedgerView.vue'
import AuditView from '../views/AuditView.vue'
import RevocationFormView from '../views/RevocationFormView.vue'
import InboxView from '../views/InboxView.vue'
import RevocationsView from '../views/RevocationsView.vue'
import SyncView from '../views/SyncView.vue'
import CustomerView from '../views/CustomerView.vue'
import AccountView from '../views/AccountView.vue'
import SettingsView from '../views/SettingsView.vue'
import SetupView from '../views/SetupView.vue'
import FirstPasswordView from '../views/FirstPasswordView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    roles?: Role[]
  }
}

const COUNTER: Role[] = ['teller', 'supervisor']

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
  { path: '/', name: 'home', component: HomeView },
  { path: '/customers', name: 'search', component: SearchView, meta: { roles: COUNTER } },
  {
    path: '/customers/:cif',
    name: 'customer',
    component: CustomerView,
    props: true,
    meta: { roles: COUNTER },
  },
  {
    path: '/customers/:cif/issue',
    name: 'issue',
    component: IssuanceView,
    props: true,
    meta: { roles: COUNTER },
  },
  {
    path: '/receipts/:receiptNo',
    name: 'receipt',
    component: ReceiptView,
    props: true,
    meta: { roles: COUNTER },
  },
  { path: '/stock', name: 'stock', component: StockView, meta: { roles: COUNTER } },
  { path: '/ledger', name: 'ledger', component: LedgerView, meta: { roles: COUNTER } },
  { path: '/audit', name: 'audit', component: AuditView, meta: { roles: ['supervisor'] } },
  {
    path: '/customers/:cif/revoke',
    name: 'revoke',
    component: RevocationFormView,
    props: true,
    meta: { roles: COUNTER },
  },
  { path: '/approvals', name: 'approvals', component: InboxView, meta: { roles: ['supervisor'] } },
  { path: '/sync', name: 'sync', component: SyncView, meta: { roles: ['supervisor', 'admin'] } },
  { path: '/revocations', name: 'revocations', component: RevocationsView, meta: { roles: COUNTER } },
  { path: '/account', name: 'account', component: AccountView },
  { path: '/settings', name: 'settings', component: SettingsView, meta: { roles: ['admin'] } },
  { path: '/setup', name: 'setup', component: SetupView, meta: { public: true } },
  { path: '/first-password', name: 'firstPassword', component: FirstPasswordView },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

// The screens follow the session; the services check it again on every call.
router.beforeEach((to) => {
  const store = useSessionStore()
  // A new PC is set up before anyone can log in; afterwards its setup screen is gone.
  if (store.needsSetup) return to.name === 'setup' ? true : { name: 'setup' }
  if (to.name === 'setup') return { name: store.session ? 'home' : 'login' }
  if (!store.session) return to.meta.public ? true : { name: 'login' }
  // HQ's one-time password: nothing else until the person has set their own.
  if (store.session.mustChangePassword) return to.name === 'firstPassword' ? true : { name: 'firstPassword' }
  if (to.name === 'firstPassword') return { name: 'home' }
  if (to.name === 'login') return { name: 'home' }
  if (to.meta.roles && !to.meta.roles.includes(store.session.role)) return { name: 'home' }
  return true
})
