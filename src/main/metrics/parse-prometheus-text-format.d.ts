// The package ships no types; this describes the prom2json-like shape it returns (v1.1.1).
declare module 'parse-prometheus-text-format' {
  export type PrometheusMetricType = 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'

  /** Values stay strings as written ("12", "1.5e3", "+Inf", "NaN"). */
  export interface PrometheusSample {
    value?: string
    labels?: Record<string, string>
    timestamp_ms?: string
    /** Histogram families: upper bound (`le`) to cumulative count. */
    buckets?: Record<string, string>
    /** Summary families: quantile to value. */
    quantiles?: Record<string, string>
    count?: string
    sum?: string
  }

  export interface PrometheusFamily {
    name: string
    help: string
    type: PrometheusMetricType
    metrics: PrometheusSample[]
  }

  /** Throws an Error named InvalidLineError on a malformed HELP/TYPE or label line. */
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[]
}
