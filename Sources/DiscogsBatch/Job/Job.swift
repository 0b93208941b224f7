/// A validated job file: everything `plan` and `run` need, with defaults applied.
public struct Job: Sendable {
    /// Path of the job file as given.
    public var file: String
    public var version: Int
    public var name: String
    public var baseURL: String
    public var userAgent: String
    public var auth: JobAuth
    public var rate: RateSettings
    public var concurrency: Int
    public var timeout: Duration
    public var retry: RetrySettings
    /// Output file, resolved against the job file's folder; nil for standard output.
    public var outputPath: String?
    public var vars: [String: String]
    public var requests: [RequestSpec]
    /// The top-level `cache:` section; nil when absent.
    public var cache: CacheSettings? = nil

    public static let defaultBaseURL = "https://api.discogs.com"
    public static let defaultUserAgent = "discogs-batch/\(DiscogsBatchVersion.current)"
}

/// What `--version` prints and the default User-Agent carries: the release number, and the git commit
/// of the build as semver build metadata when built from a clone (`0.1.0+1a2b3c4d5e6f`, with `.dirty`
/// for uncommitted changes). `buildCommit` is written before each build by Plugins/CommitStamp.
public enum DiscogsBatchVersion {
    public static let number = "0.1.0"
    public static let commit: String? = buildCommit
    public static let current = commit.map { "\(number)+\($0)" } ?? number
}

public enum AuthMode: String, Sendable, CaseIterable {
    case none
    case keySecret = "key_secret"
    case token
    case oauth
}

/// The OAuth 1.0a signature methods the tool supports (RFC 5849 §3.4), as a job file spells them.
public enum SignatureMethod: String, Sendable, CaseIterable {
    /// `consumer_secret&token_secret`, recommended by Discogs over HTTPS (RFC 5849 §3.4.4).
    case plaintext
    /// HMAC-SHA1 over the signature base string (RFC 5849 §3.4.2).
    case hmacSHA1 = "hmac-sha1"

    /// The name `oauth_signature_method` carries on the wire.
    public var oauthName: String {
        switch self {
        case .plaintext: "PLAINTEXT"
        case .hmacSHA1: "HMAC-SHA1"
        }
    }
}

/// Where key/secret and token credentials travel.
public enum CredentialPlacement: String, Sendable, CaseIterable {
    /// `Authorization: Discogs …` (default).
    case header
    /// `?key=…&secret=…` or `?token=…`.
    case query
}

/// The `auth` section, with environment fallbacks applied. Secret values are never printed.
public struct JobAuth: Sendable {
    public var mode: AuthMode = .none
    public var token: String?
    public var consumerKey: String?
    public var consumerSecret: String?
    public var accessToken: String?
    public var accessTokenSecret: String?
    /// The stored profile (`auth login`) the credentials were taken from; the loader fills the fields from it.
    public var profile: String?
    /// The base URL the profile was signed in against; the job's default base URL when it sets none.
    public var profileBaseURL: String?
    public var signature: SignatureMethod = .plaintext
    public var sendAs: CredentialPlacement = .header

    public init() {}

    /// Credential values shorter than this are refused before a run (`Credentials.validationProblems`)
    /// and are too short to mask: no real Discogs credential is that short.
    public static let minimumValueLength = 4

    /// Every value that must never appear in output, logs or errors.
    public var secrets: [String] {
        [token, consumerKey, consumerSecret, accessToken, accessTokenSecret].compactMap { $0 }.filter { !$0.isEmpty }
    }
}

/// The job's `rate.tier`: a server tier, or `auto` to follow the credential mode.
public enum RateTierSetting: String, Sendable, CaseIterable {
    case auto, low, high
}

public struct RateSettings: Sendable {
    public var tier: RateTierSetting = .auto
    /// Requests per window; nil takes the tier's (25 low, 60 high).
    public var limit: Int?
    public var window: Duration = .seconds(60)
    /// Requests per window left unused for other programs on the same address.
    public var reserve: Int = 0
    /// Share one budget with other discogs-batch processes on this machine using the same credential.
    public var shared: Bool = true
    /// Share it instead through this PostgreSQL database with processes on any host (`rate.shared: URL`).
    public var sharedURL: BudgetURL?
    /// Processes expected to share the address: without a database (or when it fails) each keeps to
    /// `limit / peers`.
    public var peers: Int = 1
    /// The address group the budget is keyed by with the credential; nil: the base URL's host.
    public var group: String?

    public init() {}

    /// The tier in force for a credential mode.
    public func effectiveTier(for mode: AuthMode) -> RateTier {
        switch tier {
        case .low: .low
        case .high: .high
        case .auto: mode == .none ? .low : .high
        }
    }

    /// Requests the tool lets through per window: the limit less the reserve.
    public func budget(for mode: AuthMode) -> Int {
        let base = limit ?? effectiveTier(for: mode).limit
        return max(1, base - reserve)
    }
}

public struct RetrySettings: Sendable {
    public var maxAttempts: Int = 5
    public var maxWait: Duration = .seconds(600)

    public init() {}
}

public enum HTTPMethod: String, Sendable, CaseIterable {
    case GET, POST, PUT, DELETE

    public var allowsBody: Bool { self == .POST || self == .PUT }
}

/// One entry of `requests`.
public struct RequestSpec: Sendable {
    public var name: String
    public var mark: Mark
    public var method: HTTPMethod = .GET
    public var path: Template
    /// Query parameters in order: the job's defaults first, overridden by the request's own.
    public var query: [(name: String, value: Template)]
    /// Extra headers: the job's defaults, overridden by the request's own.
    public var headers: [(name: String, value: String)]
    public var body: JSONTemplate?
    public var foreach: [ForeachAxis]
    public var paginate: Pagination?
    /// Dotted path to the list in the body whose elements become one record each.
    public var items: String?

    /// The foreach key that takes its values from an earlier request's records, with its position
    /// among the keys; nil for a request the plan expands in advance.
    public var dependency: (axis: Int, from: String, select: ValuePath)? {
        for (index, axis) in foreach.enumerated() {
            if case .records(let from, let select) = axis.source { return (index, from, select) }
        }
        return nil
    }
    /// The request's own `cache:` value.
    public var cache: RequestCachePolicy = .inherit
}

public struct Pagination: Sendable, Hashable {
    /// Stop after this many pages; nil walks them all.
    public var maxPages: Int?
}

/// One `foreach` key and where its values come from.
public struct ForeachAxis: Sendable {
    public enum Source: Sendable {
        /// A written list, or the lines of a `file:` (read when the job is loaded).
        case list([String])
        /// Inclusive; `step` is non-zero and may be negative.
        case range(from: Int64, to: Int64, step: Int64)
        /// The values `select` finds in the successful records of the earlier request `from`, known only
        /// while the run goes (`{from: NAME, select: PATH}`).
        case records(from: String, select: ValuePath)
    }

    public var name: String
    public var mark: Mark
    public var source: Source
}
