import Foundation

/// What a run did, for the summary on standard error and the exit code.
public struct RunSummary: Sendable {
    public var planned = 0
    /// Planned requests (or pages) that ended with a final record.
    public var completed = 0
    public var failed = 0
    /// HTTP requests sent, retries and pages included.
    public var sent = 0
    public var retries = 0
    public var rateLimited = 0
    public var records = 0
    public var elapsed: Duration = .zero
    /// Set when the credentials were refused before anything succeeded.
    public var credentialsRejected: String?
    /// Set when a record could not be written (disk full, closed pipe): the run stopped there.
    public var outputFailure: String?
    /// Why the run stopped before the end of the plan, when it did so on purpose.
    public var stopped: StopReason?
    /// Planned requests (or pages) the output already held (`--resume`).
    public var skipped = 0
    /// Bytes of a torn or incomplete tail cut off the output before resuming.
    public var truncatedBytes = 0
    /// Source records whose `select` found no value (missing, null, or not a scalar) for a dependent request.
    public var missingValues = 0
    /// True while more requests may still be found (pages not yet known, dependent requests not yet made).
    public var growing = false
    /// Planned requests (or pages) served from the response cache: nothing sent for them.
    public var cached = 0
    public var output: String = "standard output"
    /// HTTP answers by status class (`"2xx"`, redirects as `"3xx"`); `sent` minus their sum got none.
    public var responses: [String: Int] = [:]
    /// Set when the run could not start (invalid job or usage, output unusable): nothing was sent.
    public var notStarted: RunError?
    /// The job's name (the file name without extension when the job did not load), its file, and
    /// the SHA-256 of that file's bytes; set by the command for `--summary-json` and `--metrics-file`.
    public var job = ""
    public var jobFile = ""
    public var jobSHA256: String?
    /// When the command started, in seconds since 1970.
    public var startedAt = 0.0

    public init() {}

    /// Counts one HTTP answer in `responses`.
    public mutating func countResponse(status: Int) {
        responses["\(status / 100)xx", default: 0] += 1
    }

    /// SPEC §4 exit codes: 0 all succeeded, 1 some failed, 2 invalid, 3 credentials rejected, 4 output failed.
    public var exitCode: Int32 {
        if let notStarted { return notStarted.exitCode }
        if outputFailure != nil { return 4 }
        if credentialsRejected != nil { return 3 }
        if let stopped { return stopped.exitCode }
        return failed > 0 ? 1 : 0
    }

    public var text: String {
        let seconds = Double(elapsed.milliseconds) / 1000
        let rate = seconds > 0 ? Double(sent) / seconds : 0
        var lines = [
            "discogs-batch: \(completed) of \(planned) planned requests done, \(completed - failed) succeeded, \(failed) failed",
            "  \(sent) sent, \(retries) retries, \(rateLimited) rate-limited (429), \(records) records to \(output)",
            "  \(elapsed.humanDescription) elapsed, \(String(format: "%.2f", rate)) requests/s",
        ]
        if cached > 0 { lines.append("  \(cached) served from the cache (no request sent)") }
        if let credentialsRejected { lines.append("  stopped: \(credentialsRejected)") }
        if let outputFailure { lines.append("  stopped: \(outputFailure)") }
        if let stopped { lines.append("  stopped: \(stopped.description); run again with --resume to continue") }
        if missingValues > 0 {
            lines.append("  \(missingValues) source value\(missingValues == 1 ? "" : "s") missing, null or not a scalar: skipped (--verbose names them)")
        }
        if skipped > 0 || truncatedBytes > 0 {
            lines.append("  resumed: \(skipped) already in the output skipped, \(truncatedBytes) bytes of an incomplete tail dropped")
        }
        return lines.joined(separator: "\n")
    }
}
