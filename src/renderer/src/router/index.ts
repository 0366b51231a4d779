import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import type { Role } from '../../../shared/domain'
import { useSessionStore } from '../stores/session'
// The login screen is the first paint; every other screen is its own chunk, loaded when first opened.
import LoginView from '../views/LoginView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    roles?: Role[]
    /** A print view: the app's header and status bar step aside so the page is what prints. */
    print?: boolean
  }
}

const COUNTER: Role[] = ['teller', 'supervisor']

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
  { path: '/', name: 'home', component: () => import('../views/HomeView.vue') },
  {
    path: '/customers',
    name: 'search',
    component: () => import('../views/SearchView.vue'),
    meta: { roles: COUNTER },
  },
  {
    path: '/customers/:cif',
    name: 'customer',
    component: () => import('../views/CustomerView.vue'),
    props: true,
    meta: { roles: COUNTER },
  },
  {
    path: '/customers/:cif/issue',
    name: 'issue',
    component: () => import('../views/IssuanceView.vue'),
    props: true,
    meta: { roles: COUNTER },
  },
  {
    path: '/receipts/:receiptNo',
    name: 'receipt',
    component: () => import('../views/ReceiptView.vue'),
    props: true,
    meta: { roles: COUNTER },
  },
  {
    path: '/stock',
    name: 'stock',
    component: () => import('../views/StockView.vue'),
    meta: { roles: COUNTER },
  },
  {
    path: '/ledger',
    name: 'ledger',
    component: () => import('../views/LedgerView.vue'),
    meta: { roles: COUNTER },
  },
  {
    path: '/audit',
    name: 'audit',
    component: () => import('../views/AuditView.vue'),
    meta: { roles: ['supervisor'] },
  },
  {
    path: '/customers/:cif/revoke',
    name: 'revoke',
    component: () => import('../views/RevocationFormView.vue'),
    props: true,
    meta: { roles: COUNTER },
  },
  {
    path: '/approvals',
    name: 'approvals',
    component: () => import('../views/InboxView.vue'),
    meta: { roles: ['supervisor'] },
  },
  {
    path: '/sync',
    name: 'sync',
    component: () => import('../views/SyncView.vue'),
    meta: { roles: ['supervisor', 'admin'] },
  },
  {
    path: '/revocations',
    name: 'revocations',
    component: () => import('../views/RevocationsView.vue'),
    meta: { roles: COUNTER },
  },
  { path: '/account', name: 'account', component: () => import('../views/AccountView.vue') },
  {
    path: '/settings',
    name: 'settings',
    component: () => import('../views/SettingsView.vue'),
    // Supervisors too: they choose the backup folder (issue 12); the rest of the screen is the admin's.
    meta: { roles: ['admin', 'supervisor'] },
  },
  {
    path: '/setup',
    name: 'setup',
    component: () => import('../views/SetupView.vue'),
    meta: { public: true },
  },
  {
    path: '/first-password',
    name: 'firstPassword',
    component: () => import('../views/FirstPasswordView.vue'),
  },
  // ---- issue 12b ----
  {
    path: '/reports',
    name: 'reports',
    component: () => import('../views/ReportsView.vue'),
    meta: { roles: ['supervisor'] },
  },
  {
    path: '/dashboard',
    name: 'dashboard',
    component: () => import('../views/DashboardView.vue'),
    meta: { roles: ['supervisor'] },
  },
  {
    path: '/print/receipt/:receiptNo',
    name: 'print-receipt',
    component: () => import('../views/PrintReceiptView.vue'),
    props: true,
    meta: { roles: COUNTER, print: true },
  },
  {
    path: '/print/report',
    name: 'print-report',
    component: () => import('../views/PrintReportView.vue'),
    meta: { roles: ['supervisor'], print: true },
  },
  { path: '/about', name: 'about', component: () => import('../views/AboutView.vue') },
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
