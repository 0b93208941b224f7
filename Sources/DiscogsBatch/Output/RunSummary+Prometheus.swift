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
        /// `discogs_batch_<metric>_<unit>` (no unit: none).
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "discogs_batch", metricName: metric, unitName: unit, helpText: help)
        }
        func counter(_ metric: String, _ value: Int, _ help: String, _ extra: [(String, String)] = []) {
            registry.makeCounter(descriptor: name(metric, "total", help), labels: label + extra).increment(by: Int64(value))
        }
        func gauge(_ metric: String, _ unit: String, _ value: Double, _ help: String) {
            registry.makeGauge(descriptor: name(metric, unit, help), labels: label).set(value)
        }
        let help = "HTTP requests sent by the last run, by status class of the answer (none: no answer)"
        for statusClass in responses.keys.sorted() {
            counter("requests", responses[statusClass] ?? 0, help, [("status_class", statusClass)])
        }
        counter("requests", noResponse, help, [("status_class", "none")])
        counter("rate_limited", rateLimited, "429 answers in the last run")
        counter("retries", retries, "Retries in the last run")
        counter("records", records, "NDJSON records written by the last run")
        counter("cache_hits", cached, "Planned requests the last run answered from the cache")
        gauge("planned", "requests", Double(planned), "Planned requests (or first pages) of the last run")
        gauge("succeeded", "requests", Double(completed - failed), "Planned requests that succeeded in the last run")
        gauge("failed", "requests", Double(failed), "Planned requests that failed in the last run")
        gauge("skipped", "requests", Double(skipped), "Planned requests the output already held (--resume)")
        gauge("last_run_duration", "seconds", Double(elapsed.milliseconds) / 1000, "Duration of the last run")
        gauge("last_run_exit_code", "", Double(exitCode), "Exit code of the last run (0 all succeeded)")
        gauge("last_run_timestamp", "seconds", finishedAt, "When the last run ended, seconds since 1970")
        if let success = exitCode == 0 ? finishedAt : lastSuccess {
            gauge("last_success_timestamp", "seconds", success, "When a run last ended with exit code 0, seconds since 1970")
        }
        return registry.emitToString()
    }

    /// Writes the metrics file (temporary file and rename), keeping the last success time of the
    /// file it replaces when this run did not succeed.
    public func writeMetrics(to path: String, finishedAt: Double) throws(ReportFile.Failure) {
        let previous = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(Self.lastSuccess(in:))
        try ReportFile.save(prometheusText(finishedAt: finishedAt, lastSuccess: previous), to: path)
    }

    /// The value of the last success series in a metrics file this tool wrote.
    static func lastSuccess(in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(lastSuccessMetric + "{") {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return nil
    }
}
