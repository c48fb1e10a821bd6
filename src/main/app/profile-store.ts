import { join } from 'node:path'
import { modelProfileSchema, type ModelProfile } from '../../shared/model-profile'
import { FileQueue, readJsonFile, writeJsonFile } from './json-file'

/** Model profiles the user saved, per endpoint and model, in profiles.json. */
export class ProfileStore {
  private readonly file: string
  private cache: Record<string, unknown> | undefined
  private readonly writes = new FileQueue()

  constructor(dataDir: string) {
    this.file = join(dataDir, 'profiles.json')
  }

  private key(endpointId: string, model: string): string {
    return `${endpointId}/${model}`
  }

  async get(endpointId: string, model: string): Promise<ModelProfile | undefined> {
    this.cache ??= await readJsonFile<Record<string, unknown>>(this.file, {})
    const parsed = modelProfileSchema.safeParse(this.cache[this.key(endpointId, model)])
    return parsed.success ? parsed.data : undefined
  }

  set(endpointId: string, model: string, profile: ModelProfile | null): Promise<void> {
    return this.writes.run(async () => {
      this.cache ??= await readJsonFile<Record<string, unknown>>(this.file, {})
      const next = { ...this.cache }
      if (profile) next[this.key(endpointId, model)] = profile
      else delete next[this.key(endpointId, model)]
      await writeJsonFile(this.file, next)
      this.cache = next
    })
  }
}
