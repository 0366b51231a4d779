import type { Implementation } from './handlers'
import { supportBundle } from '../logging/supportBundle'

type Issue12bChannels =
  | 'reports.operations'
  | 'reports.fees'
  | 'reports.approvals'
  | 'reports.paperRevocations'
  | 'reports.stockMovements'
  | 'dashboard.summary'
  | 'settings.workstation'
  | 'settings.updateWorkstation'
  | 'print.pdf'
  | 'print.paper'
  | 'print.printers'
  | 'about.info'
  | 'logs.export'

/** Reports, the dashboard, printing, workstation settings, about and support logs (issue 12b). */
export const issue12bHandlers: Pick<Implementation, Issue12bChannels> = {
  'reports.operations': (s, { session, input }) => s.reports.operations(session!, input),
  'reports.fees': (s, { session, input }) => s.reports.fees(session!, input),
  'reports.approvals': (s, { session, input }) => s.reports.pendingApprovals(session!, input),
  'reports.paperRevocations': (s, { session, input }) => s.reports.paperRevocations(session!, input),
  'reports.stockMovements': (s, { session, input }) => s.reports.stockMovements(session!, input),
  'dashboard.summary': async (s, { session }) => ({
    ...(await s.reports.dashboard(session!)),
    sync: await s.sync.status(),
  }),
  'settings.workstation': (s) => s.workstation.get(),
  'settings.updateWorkstation': (s, { session, input }) => s.workstation.update(session!, input),
  'print.pdf': (s, { input }) => s.printing.savePdf(input.layout, input.name),
  'print.paper': async (s, { input }) => {
    const { printerName, receiptPageSize } = await s.workstation.get()
    await s.printing.print(input.layout, printerName, receiptPageSize)
    return {}
  },
  'print.printers': (s) => s.printing.printers(),
  'about.info': (s) => s.about.info(),
  'logs.export': async (s, { session }) => {
    const about = await s.about.info()
    const bundle = await supportBundle(about.logDirectory, about, s.clock.now())
    await s.db.transaction((trx) =>
      s.audit.append(trx, {
        actor: session!.staffId,
        action: 'logs.export',
        entity: 'workstation',
        entityKey: about.clientId ?? 'local',
        after: { fileName: bundle.fileName, files: bundle.files },
      }),
    )
    return bundle
  },
}
