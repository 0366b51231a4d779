import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { useSessionStore } from './stores/session'
import type { HqRole } from './types'

const ANY: HqRole[] = ['hq_operator', 'hq_supervisor', 'hq_admin']
const DESK: HqRole[] = ['hq_operator', 'hq_supervisor']
const OVERSIGHT: HqRole[] = ['hq_supervisor', 'hq_admin']
const ADMIN: HqRole[] = ['hq_admin']

/** Each screen names the HQ roles that may open it (central checks again on every call). */
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    name: 'overview',
    component: () => import('./views/OverviewView.vue'),
    meta: { hqRoles: ANY },
  },
  {
    path: '/revocations',
    name: 'revocations',
    component: () => import('./views/RevocationsView.vue'),
    meta: { hqRoles: ANY },
  },
  {
    path: '/branches',
    name: 'branches',
    component: () => import('./views/BranchesView.vue'),
    meta: { hqRoles: ANY },
  },
  {
    path: '/staff',
    name: 'staff',
    component: () => import('./views/StaffView.vue'),
    meta: { hqRoles: OVERSIGHT },
  },
  { path: '/stock', name: 'stock', component: () => import('./views/StockView.vue'), meta: { hqRoles: ANY } },
  {
    path: '/stock/receive',
    name: 'pskc',
    component: () => import('./views/PskcView.vue'),
    meta: { hqRoles: DESK },
  },
  {
    path: '/customers',
    name: 'customers',
    component: () => import('./views/CustomersView.vue'),
    meta: { hqRoles: DESK },
  },
  {
    path: '/audit',
    name: 'audit',
    component: () => import('./views/AuditView.vue'),
    meta: { hqRoles: OVERSIGHT },
  },
  {
    path: '/hq-staff',
    name: 'hqStaff',
    component: () => import('./views/HqStaffView.vue'),
    meta: { hqRoles: ADMIN },
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach((to) => {
  const session = useSessionStore()
  if (to.meta['public']) return session.signedIn && to.name === 'login' ? { name: 'overview' } : true
  if (!session.signedIn) return { name: 'login' }
  const roles = to.meta['hqRoles'] as HqRole[] | undefined
  if (roles && !session.can(...roles)) return { name: 'overview' }
  return true
})
