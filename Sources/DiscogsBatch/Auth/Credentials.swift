import Crypto
import Foundation

/// The credentials of one job, in one of the four Discogs modes (SPEC §1).
public enum Credentials: Sendable, Hashable {
    /// No credentials: nothing is sent, low rate tier.
    case none
    /// Application key and secret (`Authorization: Discogs key=K, secret=S`).
    case keySecret(key: String, secret: String, sendAs: CredentialPlacement = .header)
    /// A personal access token (`Authorization: Discogs token=T`).
    case token(String, sendAs: CredentialPlacement = .header)
    /// OAuth 1.0a with consumer and access credentials.
    case oauth(
        consumerKey: String, consumerSecret: String, accessToken: String, accessTokenSecret: String,
        signature: SignatureMethod = .plaintext)

    /// Values shorter than this are refused by `validate()`; see `Redactor` for why.
    public static let minimumValueLength = JobAuth.minimumValueLength

    /// The mode name as written in a job file (`none`, `key_secret`, `token`, `oauth`).
    public var mode: String {
        switch self {
        case .none: "none"
        case .keySecret: "key_secret"
        case .token: "token"
        case .oauth: "oauth"
        }
    }

    /// The rate tier the mode gets from Discogs: `none` → low, every other mode → high.
    public var tier: RateTier {
        if case .none = self { return .low }
        return .high
    }

    /// Every credential value, identifiers included, for redaction: none of them may appear in output.
    public var secrets: [String] {
        switch self {
        case .none: []
        case .keySecret(let key, let secret, _): [key, secret]
        case .token(let token, _): [token]
        case .oauth(let consumerKey, let consumerSecret, let accessToken, let accessTokenSecret, _):
            [consumerKey, consumerSecret, accessToken, accessTokenSecret]
        }
    }

    /// A stable 16-hex-digit identity for sharing one rate budget between processes.
    ///
    /// Truncated SHA-256 over the mode and its identifying values (key; token; consumer key and access
    /// token). It never contains a secret in clear; in token mode the token is the only identity, so its
    /// hash is used (64 bits of a SHA-256 reveal nothing usable). `none` is one shared budget per machine.
    public var fingerprint: String {
        let identity: [String]
        switch self {
        case .none: identity = []
        case .keySecret(let key, _, _): identity = [key]
        case .token(let token, _): identity = [token]
        case .oauth(let consumerKey, _, let accessToken, _, _): identity = [consumerKey, accessToken]
        }
        // Length-prefixed fields so that ("ab","c") and ("a","bc") differ.
        let text = (["discogs-batch/v1", mode] + identity).map { "\($0.utf8.count):\($0)" }.joined()
        let digest = SHA256.hash(data: Data(text.utf8))
        return digest.prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    /// Problems that make these credentials unusable: empty values or values shorter than
    /// `minimumValueLength` (no real Discogs credential is that short). Empty when fine.
    public func validationProblems() -> [String] {
        let fields: [(String, String)]
        switch self {
        case .none: fields = []
        case .keySecret(let key, let secret, _): fields = [("consumer_key", key), ("consumer_secret", secret)]
        case .token(let token, _): fields = [("token", token)]
        case .oauth(let consumerKey, let consumerSecret, let accessToken, let accessTokenSecret, _):
            fields = [
                ("consumer_key", consumerKey), ("consumer_secret", consumerSecret),
                ("access_token", accessToken), ("access_token_secret", accessTokenSecret),
            ]
        }
        return fields.compactMap { name, value in
            if value.isEmpty { return "\(mode): \(name) is empty" }
            if value.count < Self.minimumValueLength {
                return "\(mode): \(name) is shorter than \(Self.minimumValueLength) characters; not a valid credential"
            }
            return nil
        }
    }
}
