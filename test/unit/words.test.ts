import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MUTATION_NAMES } from '../../src/shared/syncProtocol'
import { channels } from '../../src/shared/contract'
import { i18n } from '../../src/renderer/src/i18n'
import { fieldProblems, errorText } from '../../src/renderer/src/errors'
import {
  actionLabel,
  auditSummary,
  KNOWN_ACTIONS,
  mutationLabel,
  mutationSummary,
  rejectionText,
} from '../../src/renderer/src/words'

function sources(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : []
  })
}

/** Every audit action the branch writes: `action: 'x.y'` and `sync.problem_${…}`. */
function auditedActions(): string[] {
  const found = new Set<string>()
  // The branch's audit (src/main, and the mutators in src/core); HQ's own audit has the console's words.
  for (const file of [...sources('src/main'), ...sources('src/core')].filter((f) => !f.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8')
    // Every 'family.name' literal on an `action:` line (also both sides of `cond ? 'a.b' : 'c.d'`).
    for (const line of text.split('\n').filter((l) => /\baction:/.test(l)))
      for (const m of line.matchAll(/'([a-z]+\.[a-z_]+)'/g)) found.add(m[1]!)
    for (const m of text.matchAll(/'([a-z]+\.[a-z_]+_failed)'/g)) found.add(m[1]!)
    if (text.includes('`sync.problem_${'))
      ['sync.problem_retry', 'sync.problem_accept'].forEach((a) => found.add(a))
  }
  return [...found].sort()
}

/** Every field path a channel's input can report, as validation keys use them (paper.formNo → paper_formNo). */
function inputFields(schema: unknown, prefix: string[] = [], out = new Set<string>()): Set<string> {
  const def = (schema as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def
  if (def.type === 'object') {
    for (const [key, value] of Object.entries(def['shape'] as Record<string, unknown>)) {
      out.add([...prefix, key].join('_'))
      inputFields(value, [...prefix, key], out)
    }
  } else if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch'].includes(def.type)) {
    inputFields(def['innerType'], prefix, out)
  } else if (def.type === 'pipe') {
    inputFields(def['in'], prefix, out)
    inputFields(def['out'], prefix, out)
  } else if (def.type === 'union') {
    for (const option of def['options'] as unknown[]) inputFields(option, prefix, out)
  }
  return out
}

afterEach(() => {
  i18n.global.locale.value = 'ja'
})

describe('words for every action and mutation', () => {
  it('finds the audited actions in the code (the scan itself works)', () => {
    const actions = auditedActions()
    expect(actions).toContain('token.issue_hard')
    expect(actions).toContain('auth.login_failed')
    expect(actions).toContain('sync.problem_accept')
    expect(actions).toContain('revocation.central_reject')
  })

  it('has a Japanese and an English label for every audited action and every mutation name', () => {
    for (const name of [...auditedActions(), ...MUTATION_NAMES]) {
      expect(KNOWN_ACTIONS, name).toContain(name)
      const ja = actionLabel(name)
      expect(ja, name).not.toBe('その他の操作')
      expect(ja, name).not.toMatch(/[a-z]+\.[a-z_]+/)
      i18n.global.locale.value = 'en'
      expect(actionLabel(name), name).not.toBe('Other action')
      i18n.global.locale.value = 'ja'
    }
  })

  it('has a summary template for every audited action and every mutation, in both languages', () => {
    for (const locale of ['ja', 'en'] as const) {
      for (const name of auditedActions())
        expect(i18n.global.te(`words.audit.${name}`, locale), name).toBe(true)
      for (const name of MUTATION_NAMES)
        expect(i18n.global.te(`words.mutation.${name}`, locale), name).toBe(true)
    }
  })

  it('summarises an issuance: who, which customer and device, the fee and how it was paid', () => {
    const row = {
      actor: 'T001',
      action: 'token.issue_hard',
      entity: 'customer',
      entityKey: '1000002',
      before: { otpStatus: 'not_applied' },
      after: {
        otpStatus: 'token_issued',
        serial: 'KT10000521',
        receiptNo: '001-20261127-0001',
        method: 'cash',
        amountYen: 1100,
      },
    }
    expect(auditSummary(row)).toBe(
      'T001がCIF 1000002にハードトークン KT10000521 を発行（手数料 ¥1,100・現金、領収書 001-20261127-0001）',
    )
    i18n.global.locale.value = 'en'
    expect(auditSummary(row)).toBe(
      'T001 issued hard token KT10000521 to CIF 1000002 (fee ¥1,100, Cash, receipt 001-20261127-0001)',
    )
  })

  it('summarises revocation steps with the status they lead to, and central as 本部', () => {
    expect(
      auditSummary({
        actor: 'S001',
        action: 'revocation.approve',
        entity: 'customer',
        entityKey: '1000001',
        before: { otpStatus: 'in_use', state: 'awaiting_branch' },
        after: { otpStatus: 'revocation_pending', state: 'awaiting_central', requestId: 'x', maker: 'T001' },
      }),
    ).toBe('S001がCIF 1000001の利用解除を承認（受付 T001）→ 利用解除手続中')
    expect(
      auditSummary({
        actor: 'T001',
        action: 'revocation.request',
        entity: 'customer',
        entityKey: '1000001',
        before: null,
        after: { channel: 'paper', reason: 'unneeded', dueOn: '2026-12-04', state: 'awaiting_branch' },
      }),
    ).toBe('T001がCIF 1000001の利用解除を受付（書面・不要、完了予定 2026年12月4日）')
    expect(
      auditSummary({
        actor: 'central',
        action: 'revocation.complete',
        entity: 'customer',
        entityKey: '1000001',
        before: null,
        after: { otpStatus: 'revoked', state: 'completed' },
      }),
    ).toBe('本部がCIF 1000001の利用解除を完了 → 利用解除済')
  })

  it('never shows JSON or an internal name, even for an action it does not know', () => {
    const summary = auditSummary({
      actor: 'T001',
      action: 'future.thing',
      entity: 'x',
      entityKey: 'y',
      before: { a: 1 },
      after: { b: 2 },
    })
    expect(summary).toBe('T001の操作')
    expect(actionLabel('future.thing')).toBe('その他の操作')
  })

  it('summarises sync mutations from their arguments', () => {
    expect(mutationLabel('token.issue_hard')).toBe('ハードトークン発行')
    expect(
      mutationSummary('token.issue_hard', {
        cif: '1000002',
        serial: 'KT10000521',
        fee: { method: 'waiver', amountYen: 0 },
      }),
    ).toBe('CIF 1000002にハードトークン KT10000521 を発行（手数料 ¥0・免除）')
    expect(
      mutationSummary('revocation.request', { cif: '1000001', channel: 'in_person', reason: 'lost' }),
    ).toBe('CIF 1000001の利用解除を受付（窓口・紛失）')
    expect(mutationSummary('staff.change_password', {}, 'T002')).toBe('T002のパスワード変更')
    expect(rejectionText('REVOCATION_OPEN')).toBe('このお客さまには本部で手続中の利用解除があります。')
    expect(rejectionText('SOMETHING_NEW')).toBe('本部がこの変更を受け付けませんでした。')
  })
})

describe('validation errors in the screen language, per field', () => {
  it('has a Japanese and an English message for every field of every channel input', () => {
    const fields = new Set<string>()
    for (const spec of Object.values(channels)) inputFields(spec.input, [], fields)
    expect(fields).toContain('paper_formNo')
    for (const locale of ['ja', 'en'] as const) {
      const missing = [...fields].filter((f) => !i18n.global.te(`validation.field.${f}`, locale))
      expect({ locale, missing }).toEqual({ locale, missing: [] })
    }
  })

  it('turns field paths into Japanese messages, whatever English the schema wrote', () => {
    const error = {
      code: 'VALIDATION' as const,
      message: 'bad input',
      fields: { 'paper.formNo': 'form number is letters, digits and hyphens', cif: 'CIF number is 7 digits' },
    }
    expect(fieldProblems(error)).toEqual([
      '書面番号は漢字・英数字・ハイフンで20文字以内です（例: 第0123号）。',
      'CIF番号は7桁の数字です。',
    ])
    expect(errorText(error)).toBe(
      '入力内容に誤りがあります。 書面番号は漢字・英数字・ハイフンで20文字以内です（例: 第0123号）。 CIF番号は7桁の数字です。',
    )
    expect(errorText(error)).not.toMatch(/[A-Za-z]{4,}/)
    expect(fieldProblems({ code: 'VALIDATION', message: 'x', fields: { 'some.new': 'x' } })).toEqual([
      '入力内容を確認してください。',
    ])
  })
})

describe('words for part B’s workstation settings and support logs', () => {
  it('summarises them without internal values', () => {
    expect(
      auditSummary({
        actor: 'A001',
        action: 'settings.workstation',
        entity: 'settings',
        entityKey: 'workstation',
        before: null,
        after: { receiptLayout: 'receipt80', printerName: '', lowStockThreshold: 10 },
      }),
    ).toBe('A001が端末設定を変更（領収書 レシート80mm、プリンター 既定のプリンター、在庫警告 10本以下）')
    expect(
      auditSummary({
        actor: 'A001',
        action: 'logs.export',
        entity: 'workstation',
        entityKey: 'local',
        before: null,
        after: { fileName: 'logs.zip', files: ['a.log', 'b.log'] },
      }),
    ).toBe('A001がサポート用ログを書き出し（logs.zip、2ファイル）')
  })
})

describe('the audit viewer’s action filter', () => {
  it('lists each label once, keeping the audited name', async () => {
    const { AUDIT_FILTER_ACTIONS } = await import('../../src/renderer/src/words')
    expect(AUDIT_FILTER_ACTIONS).toContain('staff.password_change')
    expect(AUDIT_FILTER_ACTIONS).not.toContain('staff.change_password')
    const labels = AUDIT_FILTER_ACTIONS.map((a) => actionLabel(a))
    expect(new Set(labels).size).toBe(labels.length)
  })
})
