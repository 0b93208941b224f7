import Foundation
import Prometheus

/// `--metrics-file`: the run as Prometheus text exposition for node_exporter's textfile collector.
/// Every series carries `job_name` (not `job`, which the scrape sets and would rename `exported_job`).
extension RunSummary {
    static let lastSuccessMetric = "discogs_batch_last_success_timestamp_seconds"

    /// The text of the metrics file. `lastSuccess` is the previous file's last success time, kept
    /// when this run did not succeed (nil: none yet, and the series is left out).
    public func prometheusText(finishedAt: Double, lastSuccess: Double?) -> String {
        let registry = PrometheusCollectorRegistry()
        let label = [("job_name", job)]
        func counter(_ name: String, _ value: Int, _ help: String, _ extra: [(String, String)] = []) {
            registry.makeCounter(name: name, labels: label + extra, help: help).increment(by: Int64(value))
        }
        func gauge(_ name: String, _ value: Double, _ help: String) {
            registry.makeGauge(name: name, labels: label, help: help).set(value)
        }
        let help = "HTTP requests sent by the last run, by status class of the answer (none: no answer)"
        for name in responses.keys.sorted() {
            counter("discogs_batch_requests_total", responses[name] ?? 0, help, [("status_class", name)])
        }
        counter("discogs_batch_requests_total", noResponse, help, [("status_class", "none")])
        counter("discogs_batch_rate_limited_total", rateLimited, "429 answers in the last run")
        counter("discogs_batch_retries_total", retries, "Retries in the last run")
        counter("discogs_batch_records_total", records, "NDJSON records written by the last run")
        counter("discogs_batch_cache_hits_total", cached, "Planned requests the last run answered from the cache")
        gauge("discogs_batch_planned_requests", Double(planned), "Planned requests (or first pages) of the last run")
        gauge("discogs_batch_succeeded_requests", Double(completed - failed), "Planned requests that succeeded in the last run")
        gauge("discogs_batch_failed_requests", Double(failed), "Planned requests that failed in the last run")
        gauge("discogs_batch_skipped_requests", Double(skipped), "Planned requests the output already held (--resume)")
        gauge("discogs_batch_last_run_duration_seconds", Double(elapsed.milliseconds) / 1000, "Duration of the last run")
        gauge("discogs_batch_last_run_exit_code", Double(exitCode), "Exit code of the last run (0 all succeeded)")
        gauge("discogs_batch_last_run_timestamp_seconds", finishedAt, "When the last run ended, seconds since 1970")
        if let success = exitCode == 0 ? finishedAt : lastSuccess {
            gauge(Self.lastSuccessMetric, success, "When a run last ended with exit code 0, seconds since 1970")
        }
        return registry.emitToString()
    }

    /// Writes the metrics file (temporary file and rename), keeping the last success time of the
    /// file it replaces when this run did not succeed.
    public func writeMetrics(to path: String, finishedAt: Double) throws(ReportFile.Failure) {
        let previous = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(Self.lastSuccess(in:))
        try ReportFile.write(prometheusText(finishedAt: finishedAt, lastSuccess: previous), to: path)
    }

    /// The value of the last success series in a metrics file this tool wrote.
    static func lastSuccess(in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(lastSuccessMetric + "{") {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return nil
    }
}
