/// Why signing in failed. Messages never carry a credential value: server messages are redacted with
/// every secret of the flow before they are kept.
public enum OAuthLoginError: Error, Sendable, CustomStringConvertible {
    /// The server refused the request token (wrong consumer key or secret, bad signature).
    case requestTokenRefused(status: Int, message: String)
    /// The user denied access on the authorize page.
    case denied
    /// The request token or verifier was refused at the access-token step: expired, denied, wrong.
    case accessTokenRefused(status: Int, message: String, expiredLocally: Bool)
    /// `/oauth/identity` refused the credentials.
    case identityRefused(status: Int, message: String)
    /// An answer that is not what the protocol says (missing fields, not a form, not JSON).
    case malformed(step: String, detail: String)
    /// No answer at all.
    case transport(step: String, message: String)
    /// No verifier arrived in time (the callback listener waited the request token's lifetime).
    case timedOut
    /// The callback listener could not be started.
    case listener(String)
    /// Something given was unusable (an empty verifier, a URL that does not parse).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .requestTokenRefused(let status, let message):
            "the server refused the request token (HTTP \(status): \(message)); check the consumer key and secret"
        case .denied:
            "access was denied on the authorize page; nothing was stored"
        case .accessTokenRefused(let status, let message, let expired):
            (expired
                ? "the request token and verifier have expired (they are valid for 15 minutes)"
                : "the verifier was refused")
                + " (HTTP \(status): \(message)); it may be wrong, expired (15 minutes) or denied: run auth login again"
        case .identityRefused(let status, let message):
            "the credentials were refused by /oauth/identity (HTTP \(status): \(message))"
        case .malformed(let step, let detail):
            "unexpected answer to \(step): \(detail)"
        case .transport(let step, let message):
            "no answer to \(step): \(message)"
        case .timedOut:
            "no answer from the authorize page within 15 minutes (the request token's lifetime); run auth login again"
        case .listener(let message):
            "cannot listen for the callback: \(message); use --oob to type the verifier instead"
        case .invalidInput(let message):
            message
        }
    }

    /// The exit code for `auth` commands: 3 when credentials or the sign-in were refused, 1 otherwise.
    public var exitCode: Int32 {
        switch self {
        case .requestTokenRefused, .denied, .accessTokenRefused, .identityRefused: 3
        case .invalidInput: 2
        default: 1
        }
    }
}
