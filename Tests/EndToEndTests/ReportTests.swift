import DiscogsSandbox
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `run --summary-json` and `--metrics-file` on every exit path of the real executable: the summary
/// validates against schemas/summary.schema.json, the metrics file parses with prometheus_client's
/// parser and says what the summary says. `--log-format json` lines are JSON and carry no credential.
@Suite("Summary and metrics", .serialized, .timeLimit(.minutes(5)), .enabled(if: CommandLineTests.binaryExists))
struct ReportTests {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// `python3` with prometheus_client (PyPI `prometheus-client`; `.ci/run` installs it).
    static let hasPrometheusParser: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import prometheus_client.parser"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var exitCode: Int32
        var reason: String
        var testDescription: String { "\(name) → \(exitCode)" }
    }

    static let cases: [Case] = [
        Case(name: "all succeed", exitCode: 0, reason: "succeeded"),
        Case(name: "some fail", exitCode: 1, reason: "failed"),
        Case(name: "invalid job", exitCode: 2, reason: "invalid"),
        Case(name: "bad flag value", exitCode: 2, reason: "invalid"),
        Case(name: "credentials rejected", exitCode: 3, reason: "credentials_rejected"),
        Case(name: "output exists", exitCode: 4, reason: "output"),
        Case(name: "max requests", exitCode: 75, reason: "max_requests"),
        Case(name: "SIGINT", exitCode: 130, reason: "sigint"),
        Case(name: "SIGTERM", exitCode: 143, reason: "sigterm"),
        Case(name: "second SIGTERM", exitCode: 143, reason: "sigterm"),
    ]

    func writeJob(_ folder: URL, baseURL: String, token: String = "sandbox-demo-token", paths: [String] = ["/releases/{id}"]) throws -> String {
        let path = folder.appendingPathComponent("nightly.yaml").path
        var requests = ""
        for (index, request) in paths.enumerated() {
            requests += "  - {name: r\(index), path: \"\(request)\", foreach: {id: {range: {from: 1, to: 6}}}}\n"
        }
        try """
            version: 1
            name: nightly
            user_agent: "report-tests/1.0"
            base_url: \(baseURL)
            auth: {mode: token, token: \(token)}
            rate: {limit: 100000, window: 1s}
            concurrency: 2
            retry: {max_attempts: 2, max_wait: 1s}
            requests:
            \(requests)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func start(_ arguments: [String], stderr: Pipe) throws -> Process {
        let process = Process()
        process.executableURL = Harness.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DISCOGS_BATCH_STATE_DIR"] = FileManager.default.temporaryDirectory
            .appendingPathComponent("discogs-batch-state-\(UUID().uuidString)").path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        try process.run()
        return process
    }

    /// Runs the case; returns the exit status and standard error.
    func run(_ c: Case, folder: URL, sandbox: Sandbox, reports: [String]) async throws -> (Int32, String) {
        let output = folder.appendingPathComponent("out.ndjson").path
        var arguments: [String]
        switch c.exitCode {
        case 1: arguments = ["run", try writeJob(folder, baseURL: sandbox.baseURL, paths: ["/releases/{id}", "/no-such-endpoint/{id}"])]
        case 2 where c.name == "invalid job":
            let path = folder.appendingPathComponent("nightly.yaml").path
            try "version: 1\nrequests:\n  - {name: r, paht: /releases/1}\n".write(toFile: path, atomically: true, encoding: .utf8)
            arguments = ["run", path]
        case 2: arguments = ["run", try writeJob(folder, baseURL: sandbox.baseURL), "--concurrency", "0"]
        case 3: arguments = ["run", try writeJob(folder, baseURL: sandbox.baseURL, token: "not-the-token-1234")]
        case 4:
            try "".write(toFile: output, atomically: true, encoding: .utf8)
            arguments = ["run", try writeJob(folder, baseURL: sandbox.baseURL)]
        case 75: arguments = ["run", try writeJob(folder, baseURL: sandbox.baseURL), "--max-requests", "2"]
        default: arguments = ["run", try writeJob(folder, baseURL: sandbox.baseURL)]
        }
        arguments += ["--output", output] + reports
        let errors = Pipe()
        if c.exitCode == 130 || c.exitCode == 143 { arguments.append("--verbose") }
        let process = try start(arguments, stderr: errors)
        var seen = Data()
        if c.exitCode == 130 || c.exitCode == 143 {
            // Signal once the first request is on its way (the --verbose log says so).
            while !String(decoding: seen, as: UTF8.self).contains("GET http") {
                let chunk = errors.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen += chunk
            }
            kill(process.processIdentifier, c.exitCode == 130 ? SIGINT : SIGTERM)
            if c.name == "second SIGTERM" {
                // The second signal once the first has been taken in (the run says it is stopping).
                while !String(decoding: seen, as: UTF8.self).contains("stopping;") {
                    let chunk = errors.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    seen += chunk
                }
                kill(process.processIdentifier, SIGTERM)
            }
        }
        let handle = errors.fileHandleForReading
        let rest = try await Harness.onOwnThread { handle.readDataToEndOfFile() }
        await Harness.exit(of: process)
        return (process.terminationStatus, String(decoding: seen + rest, as: UTF8.self))
    }

    @Test(arguments: cases)
    func summaryAndMetricsOnEveryExitPath(_ c: Case) async throws {
        // Slow answers on SIGINT/SIGTERM runs, so that the signal lands while requests are in flight.
        // The second signal's case waits long enough (3 s answers) that it certainly lands mid-run.
        let slow = c.name == "second SIGTERM" ? "slow=3s:1" : "slow=300ms:1"
        let faults = c.exitCode >= 130 ? [try SandboxFault.parse(slow)] : []
        let sandbox = try await Sandbox.start(SandboxConfiguration(seed: 3, rateLimited: false, faults: faults))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let summaryPath = folder.appendingPathComponent("summary.json").path
        let metricsPath = folder.appendingPathComponent("nightly.prom").path
        let (status, stderr) = try await run(
            c, folder: folder, sandbox: sandbox, reports: ["--summary-json", summaryPath, "--metrics-file", metricsPath])
        await sandbox.stop()
        #expect(status == c.exitCode, "\(stderr)")
        if c.name == "second SIGTERM" { #expect(stderr.contains("second signal; stopping now")) }

        let text = try String(contentsOfFile: summaryPath, encoding: .utf8)
        #expect(text.hasSuffix("}\n") && text.split(separator: "\n").count == 1)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(summary["exit_code"] as? Int == Int(c.exitCode))
        #expect(summary["reason"] as? String == c.reason)
        #expect(!text.contains("not-the-token-1234"))
        if c.name != "bad flag value" {
            #expect(summary["job"] as? String == "nightly")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: folder.appendingPathComponent("nightly.yaml").path))
            #expect(summary["job_sha256"] as? String == Self.sha256(bytes))
        }
        let planned = summary["planned"] as? Int ?? -1
        switch c.exitCode {
        case 0: #expect(planned == 6 && summary["succeeded"] as? Int == 6 && summary["failed"] as? Int == 0)
        case 1: #expect(planned == 12 && summary["failed"] as? Int == 6 && (summary["responses"] as? [String: Int])?["4xx"] == 6)
        case 2, 4: #expect(summary["sent"] as? Int == 0 && summary["elapsed_seconds"] as? Double == 0)
        case 75: #expect(summary["sent"] as? Int == 2)
        default: break
        }
        if let problems = try Self.schemaProblems(summaryPath) { Issue.record("summary not schema-valid: \(problems)") }

        let metrics = try String(contentsOfFile: metricsPath, encoding: .utf8)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".nightly.prom.tmp").path))
        if let samples = try Self.prometheusSamples(metricsPath) {
            Self.expectMetrics(samples, equal: summary)
        } else if Self.isCI {
            Issue.record("prometheus_client is not installed (pip install prometheus-client)")
        }
        #expect(metrics.contains("discogs_batch_last_run_exit_code{job_name=\"nightly\"} \(c.exitCode)") || c.name == "bad flag value")
    }

    /// The metrics, sample by sample, against the summary's counts.
    static func expectMetrics(_ samples: [String: Double], equal summary: [String: Any]) {
        let job = summary["job"] as? String ?? ""
        func value(_ name: String, _ extra: String = "") -> Double? {
            samples["\(name){job_name=\"\(job)\"\(extra)}"]
        }
        #expect(value("discogs_batch_last_run_exit_code") == Double(summary["exit_code"] as? Int ?? -1))
        #expect(value("discogs_batch_rate_limited_total") == Double(summary["rate_limited"] as? Int ?? -1))
        #expect(value("discogs_batch_retries_total") == Double(summary["retries"] as? Int ?? -1))
        #expect(value("discogs_batch_records_total") == Double(summary["records"] as? Int ?? -1))
        #expect(value("discogs_batch_cache_hits_total") == Double(summary["cached"] as? Int ?? -1))
        #expect(value("discogs_batch_planned_requests") == Double(summary["planned"] as? Int ?? -1))
        #expect(value("discogs_batch_succeeded_requests") == Double(summary["succeeded"] as? Int ?? -1))
        #expect(value("discogs_batch_failed_requests") == Double(summary["failed"] as? Int ?? -1))
        #expect(value("discogs_batch_skipped_requests") == Double(summary["skipped"] as? Int ?? -1))
        #expect(value("discogs_batch_last_run_duration_seconds") == summary["elapsed_seconds"] as? Double)
        let responses = summary["responses"] as? [String: Int] ?? [:]
        var sent = 0.0
        for (name, count) in samples where name.hasPrefix("discogs_batch_requests_total{") {
            sent += count
            if let range = name.range(of: "status_class=\""), let end = name[range.upperBound...].firstIndex(of: "\"") {
                let statusClass = String(name[range.upperBound..<end])
                let expected = statusClass == "none" ? summary["no_response"] as? Int : responses[statusClass]
                #expect(count == Double(expected ?? -1), "\(name)")
            }
        }
        #expect(sent == Double(summary["sent"] as? Int ?? -1))
        let succeeded = summary["exit_code"] as? Int == 0
        #expect((value("discogs_batch_last_success_timestamp_seconds") != nil) == succeeded)
    }

    @Test func lastSuccessSurvivesAFailedRunAndSummaryGoesToStandardError() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(seed: 3, rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let metrics = folder.appendingPathComponent("m.prom").path
        let job = try writeJob(folder, baseURL: sandbox.baseURL)
        let output = folder.appendingPathComponent("out.ndjson").path
        let first = try await Harness.executable(["run", job, "--output", output, "--metrics-file", metrics, "--summary-json", "-"])
        #expect(first.status == 0)
        let last = try #require(first.stderr.split(separator: "\n").last)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(summary["exit_code"] as? Int == 0 && summary["sent"] as? Int == 6)
        let success = try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("discogs_batch_last_success_timestamp_seconds{") }
        // Exit 4 (the output exists): the last success time stays that of the first run.
        let second = try await Harness.executable(["run", job, "--output", output, "--metrics-file", metrics])
        await sandbox.stop()
        #expect(second.status == 4)
        let after = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(success != nil && after.contains(String(success ?? "-")))
        #expect(after.contains("discogs_batch_last_run_exit_code{job_name=\"nightly\"} 4"))
    }

    @Test func jsonLogLinesCarryKeyAndNoCredential() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(seed: 3, rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = try writeJob(folder, baseURL: sandbox.baseURL, paths: ["/releases/{id}", "/no-such-endpoint/{id}"])
        let result = try await Harness.executable(
            ["run", job, "--output", folder.appendingPathComponent("o.ndjson").path, "--log-format", "json", "--verbose"])
        await sandbox.stop()
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count > 12)
        var keys = Set<String>()
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["level"] is String && object["message"] is String && object["at"] is String)
            if let key = object["key"] as? String { keys.insert(key) }
        }
        #expect(keys.contains("r1/id=3"))
        #expect(!result.stderr.contains("sandbox-demo-token"))
        #expect(result.stderr.contains("GET http://127.0.0.1:"))
    }

    static func sha256(_ data: Data) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import hashlib,sys;print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(data)
        try? input.fileHandleForWriting.close()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// check-jsonschema's report when the file does not validate against schemas/summary.schema.json.
    static func schemaProblems(_ path: String) throws -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        guard let tool = paths.map({ "\($0)/check-jsonschema" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return isCI ? "check-jsonschema is not installed" : nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--schemafile", Harness.root.appendingPathComponent("schemas/summary.schema.json").path, path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let report = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : String(decoding: report, as: UTF8.self)
    }

    /// Every sample of the metrics file as parsed by prometheus_client: `name{label="v",...}` → value
    /// (labels sorted); nil without the parser.
    static func prometheusSamples(_ path: String) throws -> [String: Double]? {
        guard hasPrometheusParser else { return nil }
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
                    out["%s{%s}" % (s.name, labels)] = s.value
            print(json.dumps(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "prometheus_client could not parse \(path)")
        return try JSONSerialization.jsonObject(with: data) as? [String: Double]
    }
}
