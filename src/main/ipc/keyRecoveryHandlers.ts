import { channels, type ChannelName } from '../../shared/contract'
import { DomainError, err, ok, type Result } from '../../shared/result'
import type { KeyRecovery } from '../services/keyRecovery'
import type { FailureLogger, Implementation } from './handlers'

type KeyRecoveryChannel = 'keyRecovery.status' | 'keyRecovery.export' | 'keyRecovery.reenrol'

/** A PC whose data key is readable has nothing to recover: the three channels refuse. */
export const keyRecoveryRefusals: Pick<Implementation, KeyRecoveryChannel> = {
  'keyRecovery.status': refuse,
  'keyRecovery.export': refuse,
  'keyRecovery.reenrol': refuse,
}

async function refuse(): Promise<never> {
  throw new DomainError('CONFLICT', 'the data key of this PC is readable; there is nothing to recover')
}

const RECOVERY: Record<KeyRecoveryChannel, (r: KeyRecovery) => Promise<unknown>> = {
  'keyRecovery.status': (r) => r.status(),
  'keyRecovery.export': (r) => r.exportUnsent(),
  'keyRecovery.reenrol': (r) => r.reenrol(),
}

/**
 * How a PC whose data key is lost answers: `app.status` says so, the recovery channels work (none takes
 * input), and every other channel answers KEY_LOST, as a corrupt database answers DB_CORRUPT.
 */
export async function keyLostAnswer(
  recovery: KeyRecovery,
  channel: ChannelName,
  message: string,
  logFailure: FailureLogger,
): Promise<Result<unknown>> {
  if (channel === 'app.status')
    return ok({ state: 'keyLost', message, branchCode: null, branchName: null, needsSetup: false })
  if (!(channel in RECOVERY)) return err('KEY_LOST', message)
  const name = channel as KeyRecoveryChannel
  try {
    return ok(channels[name].output.parse(await RECOVERY[name](recovery)))
  } catch (e) {
    if (e instanceof DomainError) return e.toResult()
    logFailure(channel, e)
    return err('INTERNAL', 'an unexpected error occurred; the operation was not completed')
  }
}
