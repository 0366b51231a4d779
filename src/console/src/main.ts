import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import ja from 'element-plus/es/locale/lang/ja'
import 'element-plus/dist/index.css'
import '@fontsource/noto-sans-jp/400.css'
import '@fontsource/noto-sans-jp/700.css'
import './styles.css'
import App from './App.vue'
import { whenSignedOut } from './api'
import { i18n } from './i18n'
import { router } from './router'
import { useSessionStore } from './stores/session'

async function start(): Promise<void> {
  const app = createApp(App)
  app.use(createPinia())
  app.use(i18n)
  app.use(ElementPlus, { locale: ja })
  const session = useSessionStore()
  await session.load()
  // Central ended the session (idle 15 minutes, 8 hours, or logged out elsewhere): back to the login.
  whenSignedOut(() => {
    session.forget()
    session.expired = true
    void router.push({ name: 'login' })
  })
  app.use(router)
  app.mount('#app')
}

void start()
