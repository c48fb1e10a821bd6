import type { InferRequestSpec } from '../../triton/infer-messages'
import type { ModelMetadata, TritonApi } from '../../triton/triton-api'
import { TritonError } from '../../triton/triton-error'
import type { ChannelOptions, InferChannel, InferTransport } from '../infer-channel'
import { isStale, newRegionStem, unlinkStaleRegionFiles } from './region-names'
import { SharedMemoryChannel } from './shared-memory-channel'
import { SlotPool } from './slot-pool'

export interface SharedMemoryOptions {
  /** Requests in flight that each get their own slot; more wait for one. Default 8. */
  slots?: number
  /** Room for an output whose size the metadata does not fix (BYTES, variable dims). Default 1 MiB. */
  variableOutputBytes?: number
  shmDir?: string
  /** Called once if shared memory cannot be used and tensors travel as bytes instead. */
  onFallback?: (message: string) => void
}

/** Failures that say nothing about shared memory: the request fails, the next one tries again. */
const LINK_KINDS = new Set(['unreachable', 'tls', 'auth', 'timeout', 'cancelled'])

/**
 * Unregisters the regions dead runs of this app left on the server and unlinks their files, so
 * a run killed with SIGKILL costs nothing at the next start. Safe to call at any time.
 */
export async function sweepStaleSharedMemory(api: TritonApi | undefined, shmDir = '/dev/shm') {
  const files = unlinkStaleRegionFiles(shmDir)
  let registrations: string[] = []
  if (api) {
    const status = await api.systemSharedMemoryStatus().catch(() => ({}))
    registrations = Object.keys(status).filter(isStale)
    await Promise.all(
      registrations.map((n) => api.unregisterSystemSharedMemory(n).catch(() => undefined)),
    )
  }
  return { files, registrations }
}

function fallbackHint(e: TritonError): string {
  if (/allow-client-shm/i.test(e.message)) return 'start Triton with --allow-client-shm=true'
  if (e.kind === 'unsupported') return 'this server has no system shared memory extension'
  return 'shared memory works only with Triton on this host, sharing /dev/shm (Docker: --ipc=host)'
}

/**
 * System shared memory under another transport: per session, one input and one output region
 * cut into slots for the requests in flight, registered once and reused; inputs and outputs
 * travel by region name over gRPC or HTTP. If the server refuses the regions, or cannot open
 * them because it runs elsewhere, the session carries on with bytes and says so once.
 */
export class SharedMemoryTransport implements InferTransport {
  readonly pool: SlotPool
  readonly variableOutputBytes: number
  readonly grownOutputs = new Map<string, number>()
  private disabledBy: string | undefined
  private readonly metadata = new Map<string, Promise<ModelMetadata>>()
  private swept: Promise<unknown> | undefined

  constructor(
    readonly api: TritonApi,
    private readonly inner: InferTransport,
    private readonly options: SharedMemoryOptions = {},
  ) {
    this.pool = new SlotPool(api, newRegionStem(), options.slots ?? 8, options.shmDir)
    this.variableOutputBytes = options.variableOutputBytes ?? 1024 * 1024
  }

  get target(): string {
    return this.inner.target
  }

  ready(timeoutMs: number): Promise<void> {
    return this.inner.ready(timeoutMs)
  }

  get label(): string {
    return this.disabledBy ? this.inner.label : `${this.inner.label} + shm`
  }

  /** Why tensors travel as bytes after all; undefined while shared memory is in use. */
  get fallbackReason(): string | undefined {
    return this.disabledBy
  }

  get active(): boolean {
    return this.disabledBy === undefined
  }

  open(options: ChannelOptions = {}): InferChannel {
    return new SharedMemoryChannel(this, this.inner.open(options), Boolean(options.decoupled))
  }

  /** The first use sweeps what dead runs left, once per transport. */
  prepare(): Promise<unknown> {
    this.swept ??= sweepStaleSharedMemory(this.api, this.options.shmDir)
    return this.swept
  }

  modelMetadata(spec: InferRequestSpec): Promise<ModelMetadata> {
    const key = `${spec.model}\u0000${spec.version ?? ''}`
    let m = this.metadata.get(key)
    if (!m) {
      m = this.api.modelMetadata(spec.model, spec.version)
      m.catch(() => this.metadata.delete(key))
      this.metadata.set(key, m)
    }
    return m
  }

  /** Turns shared memory off for good when a failure is about it; rethrows link failures. */
  refuse(e: unknown): void {
    const error =
      e instanceof TritonError
        ? e
        : new TritonError('unsupported', `cannot create a region: ${(e as Error).message}`, '')
    if (LINK_KINDS.has(error.kind)) throw error
    if (this.disabledBy) return
    this.disabledBy = `${error.message} (${fallbackHint(error)})`
    this.options.onFallback?.(
      `shared memory is off for this session, tensors travel as bytes over ${this.inner.label}: ${this.disabledBy}`,
    )
  }

  async close(): Promise<void> {
    await this.pool.close()
  }
}
