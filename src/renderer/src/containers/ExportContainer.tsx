import { useCallback, useMemo, useState } from 'react'
import type { ExportFormat, UserError } from '../../../shared/ipc-contract'
import { useApi } from '../bridge'
import { ExportMenu } from '../components/ExportMenu'
import { exportChoices, exportKindOf } from '../components/export-formats'
import { useAppStore } from '../store'
import { selectExportTarget } from '../store/selectors'

interface ExportOutcome {
  sessionId: string
  busy?: ExportFormat
  saved?: { format: ExportFormat; path: string }
  error?: UserError
}

/** Exports the session on screen, running or finished, through main's save dialog. */
export function ExportContainer({ placement }: { placement?: 'down' | 'up' }) {
  const api = useApi()
  const plan = useAppStore(selectExportTarget)
  const [outcome, setOutcome] = useState<ExportOutcome>()
  const target = plan && exportKindOf(plan)
  const sessionId = plan?.sessionId
  const kind = target?.kind ?? 'transcript'
  const fromFile = target?.fromFile ?? false
  const choices = useMemo(() => exportChoices(kind, fromFile), [kind, fromFile])
  // What was saved belongs to its session; a new session starts with a clean line.
  const shown = outcome && outcome.sessionId === sessionId ? outcome : undefined

  const onExport = useCallback(
    (format: ExportFormat) => {
      if (!sessionId) return
      setOutcome({ sessionId, busy: format })
      void api.exports.session(sessionId, format).then((r) => {
        if (!r.ok) setOutcome({ sessionId, error: r.error })
        else setOutcome({ sessionId, saved: r.value ? { format, path: r.value } : undefined })
      })
    },
    [api, sessionId],
  )

  return (
    <ExportMenu
      choices={choices}
      disabled={!target}
      busy={shown?.busy}
      saved={shown?.saved}
      error={shown?.error}
      placement={placement}
      onExport={onExport}
    />
  )
}
