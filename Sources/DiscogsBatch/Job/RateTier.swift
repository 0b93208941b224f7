/// The Discogs rate tier: how many requests the server allows per moving window.
public enum RateTier: String, Sendable, Hashable, CaseIterable {
    /// Unauthenticated requests: 25 per 60 s.
    case low
    /// Authenticated requests (any credential mode): 60 per 60 s.
    case high

    /// Requests allowed per window in this tier.
    public var limit: Int {
        switch self {
        case .low: 25
        case .high: 60
        }
    }

    /// The length of the server's moving window.
    public var window: Duration { .seconds(60) }
}
