import Foundation
import Logging
import Testing
@testable import DiscogsBatch

@Suite("Run summary reports")
struct RunSummaryReportTests {
    func summary() -> RunSummary {
        var s = RunSummary()
        s.job = "nightly \"x\""
        s.planned = 5
        s.completed = 5
        s.failed = 1
        s.sent = 9
        s.retries = 2
        s.rateLimited = 1
        s.records = 40
        s.cached = 1
        s.elapsed = .milliseconds(1_250)
        s.countResponse(status: 200)
        s.countResponse(status: 200)
        s.countResponse(status: 404)
        s.countResponse(status: 429)
        s.countResponse(status: 503)
        s.countResponse(status: 302)
        return s
    }

    @Test func jsonCarriesCountsReasonAndEscapedNames() throws {
        let text = summary().json(finishedAt: 1_764_936_000.5)
        #expect(text.hasSuffix("}\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["job"] as? String == "nightly \"x\"")
        #expect(object["exit_code"] as? Int == 1 && object["reason"] as? String == "failed")
        #expect(object["succeeded"] as? Int == 4 && object["done"] as? Int == 5 && object["cached"] as? Int == 1)
        #expect(object["responses"] as? [String: Int] == ["2xx": 2, "3xx": 1, "4xx": 2, "5xx": 1])
        #expect(object["no_response"] as? Int == 3)
        #expect(object["elapsed_seconds"] as? Double == 1.25)
        #expect(object["finished"] as? String == "2025-12-05T12:00:00.500Z")
        #expect(object["output"] is NSNull)
    }

    @Test func reasonFollowsTheExitCode() {
        var s = RunSummary()
        #expect(s.reason == "succeeded" && s.exitCode == 0)
        s.stopped = .signal(15)
        #expect(s.reason == "sigterm" && s.exitCode == 143)
        s.stopped = .deadline(.seconds(5))
        #expect(s.reason == "deadline" && s.exitCode == 75)
        s.credentialsRejected = "credentials rejected"
        #expect(s.reason == "credentials_rejected" && s.exitCode == 3)
        s.notStarted = .invalid("usage: --concurrency must be from 1 to 64")
        #expect(s.reason == "invalid" && s.exitCode == 2)
    }

    @Test func prometheusTextHasEverySeriesWithTheJobLabel() {
        let text = summary().prometheusText(finishedAt: 100, lastSuccess: 42)
        #expect(text.contains(#"discogs_batch_requests_total{job_name="nightly \"x\"",status_class="2xx"} 2"#))
        #expect(text.contains(#"discogs_batch_requests_total{job_name="nightly \"x\"",status_class="none"} 3"#))
        #expect(text.contains(#"discogs_batch_last_run_exit_code{job_name="nightly \"x\""} 1"#))
        // Exit 1: the previous success time is kept.
        #expect(text.contains(#"discogs_batch_last_success_timestamp_seconds{job_name="nightly \"x\""} 42"#))
        #expect(text.contains("# TYPE discogs_batch_retries_total counter"))
        #expect(RunSummary.lastSuccess(in: text) == 42)
        var ok = RunSummary()
        ok.job = "a"
        #expect(RunSummary.lastSuccess(in: ok.prometheusText(finishedAt: 100, lastSuccess: 42)) == 100)
        #expect(!summary().prometheusText(finishedAt: 100, lastSuccess: nil).contains("last_success"))
    }

    @Test func metricsFileReplacesWholeAndKeepsLastSuccess() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("summary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.prom").path
        var ok = RunSummary()
        ok.job = "j"
        try ok.writeMetrics(to: path, finishedAt: 1000)
        try summary().writeMetrics(to: path, finishedAt: 2000)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(RunSummary.lastSuccess(in: text) == 1000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["m.prom"])
        #expect(throws: ReportFile.Failure.self) { try ok.writeMetrics(to: folder.path + "/missing/m.prom", finishedAt: 1) }
    }

    @Test func jsonLogLinesCarryTheRequestKeyAndMaskSecrets() throws {
        final class Lines: @unchecked Sendable {  // appended to under the lock only
            let lock = NSLock()
            var all: [String] = []
            func withLockedValue<T>(_ body: (inout [String]) -> T) -> T { lock.withLock { body(&all) } }
        }
        let lines = Lines()
        var logger = Logger(label: "t") { label in
            JSONLogHandler(label: label, mask: { $0.replacingOccurrences(of: "s3cret", with: "REDACTED") }, emit: { line in
                lines.withLockedValue { $0.append(line) }
            })
        }
        logger.logLevel = .debug
        RequestLogContext.$key.withValue("release/id=1") {
            logger.warning("HTTP 404 for token s3cret", metadata: ["url": "http://h/x?token=s3cret"])
        }
        logger.info("outside")
        let got = lines.withLockedValue { $0 }
        #expect(got.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(got[0].utf8)) as? [String: String])
        #expect(first["key"] == "release/id=1" && first["level"] == "warning" && first["label"] == "t")
        #expect(first["message"] == "HTTP 404 for token REDACTED" && first["url"] == "http://h/x?token=REDACTED")
        let second = try #require(try JSONSerialization.jsonObject(with: Data(got[1].utf8)) as? [String: String])
        #expect(second["key"] == nil && second["message"] == "outside")
        #expect(got.allSatisfy { $0.hasSuffix("}\n") && !$0.dropLast().contains("\n") })
    }
}
