import Foundation

/// How `run` was asked to run, beyond the job file.
public struct RunOptions: Sendable {
    /// Output file; nil for the job's `output.path`, `-` for standard output.
    public var outputPath: String?
    /// Start the output file again when it exists.
    public var overwrite = false
    public var concurrency: Int?
    /// Send to this API root instead of the job's (`--sandbox`).
    public var baseURL: String?
    /// First backoff step of retries (doubling per attempt, full jitter); tests shorten it.
    public var retryBaseDelay: Duration = .seconds(1)

    public init() {}
}

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
    public var output: String = "standard output"

    /// SPEC §4 exit codes: 0 all succeeded, 1 some failed, 3 credentials rejected, 4 output failed.
    public var exitCode: Int32 {
        if outputFailure != nil { return 4 }
        if credentialsRejected != nil { return 3 }
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
        if let credentialsRejected { lines.append("  stopped: \(credentialsRejected)") }
        if let outputFailure { lines.append("  stopped: \(outputFailure)") }
        return lines.joined(separator: "\n")
    }
}

public enum RunError: Error, CustomStringConvertible {
    /// Exit 2: the job cannot run as configured; nothing was sent.
    case invalid(String)
    /// Exit 4: the output cannot be written, or exists without --overwrite.
    case output(String)

    public var description: String {
        switch self {
        case .invalid(let message), .output(let message): message
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .invalid: 2
        case .output: 4
        }
    }
}
