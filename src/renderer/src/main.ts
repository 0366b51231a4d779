import { createApp } from 'vue'
import { createPinia } from 'pinia'
import '@fontsource/noto-sans-jp/400.css'
import '@fontsource/noto-sans-jp/700.css'
import './styles.css'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { useSessionStore } from './stores/session'
import { startIdleLock } from './stores/idleLock'

async function start(): Promise<void> {
  const app = createApp(App)
  app.use(createPinia())
  app.use(i18n)
  await useSessionStore().load()
  app.use(router)
  startIdleLock()
  app.mount('#app')
}

void start()
