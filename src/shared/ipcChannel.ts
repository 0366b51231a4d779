/** The prefix of every IPC channel the preload may use: `td:` + a channel name of the contract. */
export const IPC_PREFIX = 'td:'
