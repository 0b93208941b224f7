/// Who a request comes from, as far as the sandbox's credential checks go.
struct Principal: Sendable, Equatable {
    enum Mode: String, Sendable {
        case none
        case keySecret = "key_secret"
        case token
        case oauth
    }

    var mode: Mode
    /// The user the request acts as (token and OAuth only).
    var username: String?

    static let anonymous = Principal(mode: .none, username: nil)

    var tier: RateTier { mode == .none ? .low : .high }
    var isAuthenticated: Bool { mode != .none }
}
