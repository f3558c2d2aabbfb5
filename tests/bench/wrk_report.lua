-- wrk script of tests/bench/bench.py: one machine-readable line with the counts and the
-- latency percentiles (microseconds) wrk measured; bench.py parses it.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d p50=%d p95=%d p99=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
