import Foundation

/// How `run` was asked to run, beyond the job file.
public struct RunOptions: Sendable {
    /// Output file; nil for the job's `output.path`, `-` for standard output.
    public var outputPath: String?
    /// Start the output file again when it exists.
    public var overwrite = false
    /// Continue the output file: keep its complete records, send only what is missing.
    public var resume = false
    /// Stop dispatching after this many HTTP requests (exit 75, resumable).
    public var maxRequests: Int?
    /// Stop dispatching after this long (exit 75, resumable).
    public var deadline: Duration?
    /// Run only the requests whose key hashes to shard `index` of `count` (0-based index).
    public var shard: (index: Int, count: Int)?
    /// Where the shared rate budget lives (`SharedBudget.folder(environment:)`).
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    public var concurrency: Int?
    /// Send to this API root instead of the job's (`--sandbox`).
    public var baseURL: String?
    /// First backoff step of retries (doubling per attempt, full jitter); tests shorten it.
    public var retryBaseDelay: Duration = .seconds(1)
    /// `--refresh` (read nothing, still store) or `--no-cache` (neither).
    public var cacheMode: CacheMode = .normal

    public init() {}
}
