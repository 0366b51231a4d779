/** Screens that change the sync setup (enrolment) fire this so the status bar refreshes at once. */
export const SYNC_CHANGED_EVENT = 'td:sync-changed'
