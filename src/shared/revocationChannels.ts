import type { TokenKind } from './domain'

export type RevocationChannel = 'in_person' | 'paper'

/**
 * Which ways of revoking the branch may record for a token (the bank's guide, ③ 利用解除について):
 * a soft-token customer revokes in internet banking themselves, or at the counter in person; the paper
 * form (書面, about two weeks to complete) is for hard tokens only. Without a known token the branch
 * records in person only, since no form applies.
 */
export function revocationChannelsFor(tokenKind: TokenKind | null | undefined): readonly RevocationChannel[] {
  return tokenKind === 'hard' ? ['in_person', 'paper'] : ['in_person']
}

/** True when the channel is allowed for the token; the services refuse the others. */
export function channelAllowedFor(
  channel: RevocationChannel,
  tokenKind: TokenKind | null | undefined,
): boolean {
  return revocationChannelsFor(tokenKind).includes(channel)
}
