/** What the preload exposes to the page (see src/preload/index.ts). */
interface TokenDeskBridge {
  invoke(channel: string, input: unknown): Promise<unknown>
}

interface Window {
  tokenDesk?: TokenDeskBridge
}
