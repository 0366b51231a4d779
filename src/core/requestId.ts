import { v7 } from 'uuid'

/**
 * A new request's id, made at the branch PC (offline too), unique without asking central. Time-ordered
 * (UUIDv7, RFC 9562): central's `requests` primary key then grows at its right edge, so a day's queue
 * drained at once writes a few index pages a push instead of one a request. With random (v4) ids each push
 * wrote more pages than the last as the index grew, on SQLite and PostgreSQL alike (issue 11).
 */
export const newRequestId = (): string => v7()
