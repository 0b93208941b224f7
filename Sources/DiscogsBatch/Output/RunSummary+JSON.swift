import Crypto
import Foundation

/// `--summary-json`: the run's outcome as one JSON object (schemas/summary.schema.json).
extension RunSummary {
    /// Why the run ended, as one word a script can switch on: `succeeded`, `failed`, `invalid`,
    /// `output`, `credentials_rejected`, `max_requests`, `deadline`, `sigint`, `sigterm`, `signal`.
    public var reason: String {
        if let notStarted {
            switch notStarted {
            case .invalid: return "invalid"
            case .output: return "output"
            }
        }
        if outputFailure != nil { return "output" }
        if credentialsRejected != nil { return "credentials_rejected" }
        switch stopped {
        case .maxRequests: return "max_requests"
        case .deadline: return "deadline"
        case .signal(2): return "sigint"
        case .signal(15): return "sigterm"
        case .signal: return "signal"
        case nil: return failed > 0 ? "failed" : "succeeded"
        }
    }

    /// The same in words, for a person reading the summary.
    public var reasonMessage: String {
        if let notStarted { return notStarted.description }
        if let outputFailure { return outputFailure }
        if let credentialsRejected { return credentialsRejected }
        if let stopped { return "\(stopped.description); run again with --resume to continue" }
        return failed > 0 ? "\(failed) of \(completed) requests failed" : "all requests succeeded"
    }

    /// Reads the job file and fills `jobFile` and `jobSHA256` (nil when it cannot be read).
    public mutating func identify(jobFile path: String, name: String?) {
        jobFile = path
        job = name ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        jobSHA256 = FileManager.default.contents(atPath: path).map { data in
            SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        }
    }

    /// Takes the job's identity and start time from `other` (what the command knew before the run).
    public mutating func adopt(_ other: RunSummary) {
        job = other.job
        jobFile = other.jobFile
        jobSHA256 = other.jobSHA256
        startedAt = other.startedAt
    }

    /// One JSON object and a line feed; `finishedAt` in seconds since 1970.
    public func json(finishedAt: Double) -> String {
        var out = "{"
        func key(_ name: String) {
            if out.count > 1 { out += "," }
            out += "\"\(name)\":"
        }
        func string(_ name: String, _ value: String?) {
            key(name)
            if let value { JSONText.appendString(value, to: &out) } else { out += "null" }
        }
        func number(_ name: String, _ value: Int) {
            key(name)
            out += String(value)
        }
        string("job", job)
        string("job_file", jobFile)
        string("job_sha256", jobSHA256)
        string("output", notStarted == nil && output != "standard output" ? output : nil)
        number("exit_code", Int(exitCode))
        string("reason", reason)
        string("message", reasonMessage)
        string("version", DiscogsBatchVersion.current)
        string("started", Record.timestamp(startedAt))
        string("finished", Record.timestamp(finishedAt))
        key("elapsed_seconds")
        out += String(format: "%.3f", Double(elapsed.milliseconds) / 1000)
        number("planned", planned)
        number("done", completed)
        number("succeeded", completed - failed)
        number("failed", failed)
        number("skipped", skipped)
        number("cached", cached)
        number("sent", sent)
        number("retries", retries)
        number("rate_limited", rateLimited)
        number("records", records)
        key("responses")
        out += "{"
        for (index, name) in responses.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            out += "\"\(name)\":\(responses[name] ?? 0)"
        }
        out += "}"
        number("no_response", noResponse)
        out += "}\n"
        return out
    }

    /// Requests sent that got no HTTP answer: connection errors, timeouts, or stopped while waiting to send.
    public var noResponse: Int { max(0, sent - responses.values.reduce(0, +)) }
}
