// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DoctorPanel } from '../../../src/renderer/src/components/DoctorPanel'
import type { DoctorReport } from '../../../src/shared/ipc-contract'

afterEach(cleanup)

const wrongPort: DoctorReport = {
  url: 'grpc://127.0.0.1:8002',
  verdict: 'fail',
  checks: [
    { name: 'name resolves', status: 'ok', detail: '127.0.0.1', ms: 0.1 },
    { name: 'TCP connects', status: 'ok', detail: '127.0.0.1:8002', ms: 0.4 },
    {
      name: 'speaks HTTP/2',
      status: 'fail',
      fatal: true,
      detail: 'this port speaks HTTP: Triton serves HTTP on 8000, gRPC on 8001, metrics on 8002',
      hint: 'point --url at the gRPC port, usually 8001',
      ms: 2.25,
    },
  ],
}

describe('DoctorPanel', () => {
  it('shows one row per check with its status, time and, for a failure, what to do', () => {
    render(<DoctorPanel endpointName="lab" report={wrongPort} running={false} onRun={vi.fn()} />)
    const rows = screen.getAllByTestId('doctor-check')
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['ok', 'ok', 'fail'])
    expect(rows[2].textContent).toBe(
      '✗speaks HTTP/2this port speaks HTTP: Triton serves HTTP on 8000, gRPC on 8001, metrics on 80022.3 mspoint --url at the gRPC port, usually 8001',
    )
    expect(rows[0].textContent).not.toContain('point --url')
    expect(screen.getByTestId('doctor-verdict').textContent).toBe(
      'It does not work yet: see the first failed check.',
    )
    expect(screen.getByTestId('doctor-run').textContent).toBe('Check again')
  })

  it('runs on request, and cannot be started twice while running', () => {
    const onRun = vi.fn()
    const { rerender } = render(
      <DoctorPanel endpointName="lab" report={undefined} running={false} onRun={onRun} />,
    )
    fireEvent.click(screen.getByTestId('doctor-run'))
    expect(onRun).toHaveBeenCalledTimes(1)
    rerender(<DoctorPanel endpointName="lab" report={undefined} running onRun={onRun} />)
    const button = screen.getByTestId('doctor-run') as HTMLButtonElement
    expect(button.disabled).toBe(true)
    expect(button.textContent).toBe('Checking…')
    expect(screen.queryByTestId('doctor-checks')).toBeNull()
  })

  it('shows why a run could not start', () => {
    render(
      <DoctorPanel
        endpointName="lab"
        report={undefined}
        running={false}
        error={{
          message: "cannot read the CA certificate 'ca.pem' (ENOENT)",
          hint: 'check the path',
          kind: 'tls',
        }}
        onRun={vi.fn()}
      />,
    )
    expect(screen.getByTestId('doctor-error').textContent).toContain(
      "cannot read the CA certificate 'ca.pem'",
    )
  })
})
