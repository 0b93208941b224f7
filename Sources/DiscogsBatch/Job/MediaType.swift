/// The text format of a request's answer (`media_type:`), sent as the v2 `Accept` media type:
/// Discogs markup as written, plain text, or HTML.
public enum MediaType: String, Sendable, CaseIterable {
    case discogs
    case plaintext
    case html

    /// `application/vnd.discogs.v2.<format>+json`.
    public var accept: String { "application/vnd.discogs.v2.\(rawValue)+json" }
}
