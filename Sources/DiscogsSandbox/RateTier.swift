/// Discogs's two rate tiers: `low` for requests without credentials, `high` for any credential.
public enum RateTier: String, Sendable, CaseIterable, Codable {
    case low
    case high
}
