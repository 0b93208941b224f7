/// One stored answer: what a record needs to be written again exactly as the original was.
public struct CacheEntry: Sendable {
    /// The request's name, for `cache stats`.
    public var request: String
    /// The URL as its record showed it (credentials already masked).
    public var url: String
    public var status: Int
    public var attempts: Int
    /// When the original answer came, seconds since 1970 (the record's `at`).
    public var at: Double
    public var rateLimit: Record.RateLimit?
    /// The body as the record embeds it: credentials masked, line breaks removed.
    public var body: [UInt8]

    public init(request: String, url: String, status: Int, attempts: Int, at: Double, rateLimit: Record.RateLimit?, body: [UInt8]) {
        self.request = request
        self.url = url
        self.status = status
        self.attempts = attempts
        self.at = at
        self.rateLimit = rateLimit
        self.body = body
    }
}
