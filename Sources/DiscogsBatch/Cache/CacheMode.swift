/// How a run uses the response cache (`run --refresh`, `run --no-cache`).
public enum CacheMode: Sendable, Hashable {
    /// Serve fresh entries, store new answers.
    case normal
    /// Read nothing, still store every new answer.
    case refresh
    /// Neither read nor write.
    case off
}
