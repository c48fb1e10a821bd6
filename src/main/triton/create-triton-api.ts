import { KServeHttpClient, type KServeHttpOptions } from '../transport/http/kserve-http-client'
import { resolveEndpoint, type ConnectionOptions } from './connection-options'
import type { TritonApi } from './triton-api'
import { TritonClient } from './triton-client'

/** The client the URL asks for: gRPC for grpc://, grpcs:// and bare host:port; HTTP for http(s)://. */
export function createTritonApi(options: ConnectionOptions, http?: KServeHttpOptions): TritonApi {
  return resolveEndpoint(options).protocol === 'http'
    ? new KServeHttpClient(options, http)
    : new TritonClient(options)
}
