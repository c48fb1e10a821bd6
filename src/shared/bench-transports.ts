import type { BenchTransportChoice } from './ipc-contract'

/**
 * The transports the Benchmark tab offers, in one list: the form's options, their labels and
 * the choice each sends derive from it. The endpoint's URL picks gRPC or HTTP and its saved
 * choice is the default; these override the rest, as the CLI's --unary and --shared-memory do.
 */
export const BENCH_TRANSPORTS = [
  { key: 'default', label: "the endpoint's own (its URL and saved choice)", choice: {} },
  { key: 'unary', label: 'gRPC unary', choice: { mode: 'unary' } },
  { key: 'shm', label: 'shared memory (same host)', choice: { sharedMemory: 'system' } },
  {
    key: 'unary-shm',
    label: 'gRPC unary + shared memory',
    choice: { mode: 'unary', sharedMemory: 'system' },
  },
] as const satisfies ReadonlyArray<{ key: string; label: string; choice: BenchTransportChoice }>

export type BenchTransportKey = (typeof BENCH_TRANSPORTS)[number]['key']

export function benchTransportChoice(key: BenchTransportKey): BenchTransportChoice {
  return (BENCH_TRANSPORTS.find((t) => t.key === key) ?? BENCH_TRANSPORTS[0]).choice
}
