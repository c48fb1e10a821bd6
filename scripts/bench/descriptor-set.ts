// A FileDescriptorSet of proto/grpc_service.proto, for the Python peer's python3-protobuf (this
// machine has no protoc). protobufjs writes it; map entries get the names protoc gives them
// (`parameters` -> `ParametersEntry`), which python's descriptor pool insists on.
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { findProtoDir } from '../../src/main/triton/proto-loader'

interface DescriptorMessage {
  name: string
  field: Array<{ name: string; typeName?: string }>
  nestedType?: DescriptorMessage[]
  options?: { mapEntry?: boolean }
}

const camel = (s: string) =>
  s
    .split('_')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('')

function nameMapEntries(m: DescriptorMessage): void {
  for (const nested of m.nestedType ?? []) {
    if (nested.options?.mapEntry) {
      const f = m.field.find((x) => x.typeName === nested.name)
      if (f) f.typeName = nested.name = `${camel(f.name)}Entry`
    }
    nameMapEntries(nested)
  }
}

export function writeDescriptorSet(path: string): void {
  // protobufjs is what @grpc/proto-loader reads proto/ with; take the very same copy.
  const load = createRequire(require.resolve('@grpc/proto-loader'))
  const protobuf = load('protobufjs') as typeof import('protobufjs')
  const descriptor = load('protobufjs/ext/descriptor') as {
    FileDescriptorSet: { encode(m: unknown): { finish(): Uint8Array } }
  }
  const dir = findProtoDir()
  const root = new protobuf.Root()
  root.resolvePath = (_origin, target) => join(dir, target)
  root.loadSync('grpc_service.proto', { keepCase: true })
  root.resolveAll()
  const set = (
    root as unknown as {
      toDescriptor(s: string): { file: Array<{ messageType: DescriptorMessage[] }> }
    }
  ).toDescriptor('proto3')
  for (const file of set.file) for (const m of file.messageType) nameMapEntries(m)
  writeFileSync(path, descriptor.FileDescriptorSet.encode(set).finish())
}
