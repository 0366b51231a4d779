import { contextBridge, ipcRenderer } from 'electron'
import { IPC_PREFIX } from '../shared/ipcChannel'

// One typed entry point and nothing else: no raw ipcRenderer, no Node in the page.
contextBridge.exposeInMainWorld('tokenDesk', {
  invoke: (channel: string, input: unknown): Promise<unknown> => {
    if (typeof channel !== 'string') return Promise.reject(new TypeError('channel must be a string'))
    return ipcRenderer.invoke(IPC_PREFIX + channel, input)
  },
})
