import type { ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTritonApi } from '../../../src/main/triton/create-triton-api'
import { spawnCli } from '../../fixtures/built-app'

function run(args: string[]): ChildProcess {
  return spawnCli(args, { env: { ...process.env, TRITON_URL: '' } })
}

let demo: ChildProcess
let lines: string[] = []

beforeAll(async () => {
  demo = run([
    'demo-endpoint',
    '--port',
    '0',
    '--http-port',
    '0',
    '--metrics-port',
    'off',
    '--openai-port',
    '0',
  ])
  await new Promise<void>((resolve, reject) => {
    let out = ''
    demo.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      lines = out.split('\n')
      if (lines.some((l) => l.startsWith('try:'))) resolve()
    })
    demo.on('exit', (code) => reject(new Error(`demo-endpoint exited with ${code}`)))
  })
})

afterAll(async () => {
  const exited = new Promise((r) => demo.once('exit', r))
  demo.kill('SIGTERM')
  await exited
})

function urlAfter(prefix: string): string {
  const line = lines.find((l) => l.startsWith(prefix)) ?? ''
  return (/(grpc:\/\/|http:\/\/)?\d+\.\d+\.\d+\.\d+:\d+/.exec(line) ?? [''])[0]
}

describe('the demo-endpoint command', () => {
  it('serves gRPC, KServe HTTP and the OpenAI API on the ports it is given, and no metrics when off', async () => {
    const grpcUrl = urlAfter('demo endpoint listening on')
    const httpUrl = urlAfter('KServe v2 HTTP at')
    expect(httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(lines.some((l) => l.startsWith('metrics at'))).toBe(false)
    expect(urlAfter('OpenAI-compatible transcriptions at')).toMatch(/^http:\/\//)
    const grpc = createTritonApi({ url: grpcUrl })
    const http = createTritonApi({ url: httpUrl })
    expect(await http.repositoryIndex()).toEqual(await grpc.repositoryIndex())
    grpc.close()
    http.close()
  })

  it('answers `health --url http://...` through the same command as gRPC', async () => {
    const child = run(['health', '--url', urlAfter('KServe v2 HTTP at')])
    let stdout = ''
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    const code = await new Promise((r) => child.on('close', r))
    expect(code).toBe(0)
    expect(stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+ {2}live=true ready=true {2}triton-live-demo/)
  })
})
