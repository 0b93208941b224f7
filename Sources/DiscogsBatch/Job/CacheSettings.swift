/// The job's top-level `cache:` section: where answers are kept and for how long by default.
public struct CacheSettings: Sendable {
    /// How long an answer is served for requests that set no `max_age` of their own; nil: such
    /// requests are not cached (only those with `cache: {max_age: ...}` are).
    public var maxAge: Duration?
    /// The SQLite file, resolved against the job file's folder; nil for the default
    /// (`$XDG_CACHE_HOME/discogs-batch/cache.sqlite`).
    public var path: String?
    /// Bytes of bodies kept at most; the least recently used entries go first.
    public var maxSize: Int64 = CacheSettings.defaultMaxSize

    public static let defaultMaxSize: Int64 = 500_000_000

    public init() {}

    /// The SQLite file a job uses (`path`, or the default under the cache home).
    public static func defaultPath(environment: [String: String]) -> String {
        if let home = environment["XDG_CACHE_HOME"], !home.isEmpty { return "\(home)/discogs-batch/cache.sqlite" }
        let home = environment["HOME"] ?? "/tmp"
        return "\(home)/.cache/discogs-batch/cache.sqlite"
    }
}

/// A request's own `cache:` value.
public enum RequestCachePolicy: Sendable, Hashable {
    /// Not written: the job's `cache.max_age` applies.
    case inherit
    /// `cache: false`: always fetched, never stored.
    case off
    /// `cache: {max_age: ...}`.
    case maxAge(Duration)

    /// How long this request's answers are served, given the job's settings; nil: not cached.
    public func maxAge(job: CacheSettings?) -> Duration? {
        switch self {
        case .inherit: job?.maxAge
        case .off: nil
        case .maxAge(let age): age
        }
    }
}
