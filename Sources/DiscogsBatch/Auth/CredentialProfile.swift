import Foundation

/// One stored sign-in (`auth login`): an OAuth access token with its consumer, or a personal token.
///
/// Its `description` masks every value, so printing a profile by accident leaks nothing.
public struct CredentialProfile: Sendable, Hashable, CustomStringConvertible {
    /// What the profile holds: `oauth` (consumer key and secret plus an OAuth access token and secret)
    /// or `token` (a personal access token); never `none` or `key_secret`.
    public var mode: AuthMode
    public var consumerKey: String?
    public var consumerSecret: String?
    public var accessToken: String?
    public var accessTokenSecret: String?
    public var token: String?
    /// The Discogs user the credentials act as (from `/oauth/identity`).
    public var username: String?
    /// The API the profile was signed in against, e.g. `https://api.discogs.com`.
    public var baseURL: String
    /// When the profile was stored, ISO 8601 UTC.
    public var created: String

    /// An OAuth profile.
    public static func oauth(
        consumerKey: String, consumerSecret: String, accessToken: String, accessTokenSecret: String,
        username: String?, baseURL: String, created: Date = Date()
    ) -> CredentialProfile {
        CredentialProfile(
            mode: .oauth, consumerKey: consumerKey, consumerSecret: consumerSecret, accessToken: accessToken,
            accessTokenSecret: accessTokenSecret, token: nil, username: username, baseURL: baseURL,
            created: timestamp(created))
    }

    /// A personal-token profile.
    public static func token(_ token: String, username: String?, baseURL: String, created: Date = Date())
        -> CredentialProfile
    {
        CredentialProfile(
            mode: .token, consumerKey: nil, consumerSecret: nil, accessToken: nil, accessTokenSecret: nil,
            token: token, username: username, baseURL: baseURL, created: timestamp(created))
    }

    /// The credentials to sign with; OAuth uses `signature`.
    public func credentials(signature: SignatureMethod = .plaintext) -> Credentials {
        switch mode {
        case .oauth:
            .oauth(
                consumerKey: consumerKey ?? "", consumerSecret: consumerSecret ?? "", accessToken: accessToken ?? "",
                accessTokenSecret: accessTokenSecret ?? "", signature: signature)
        default:  // .token: a profile holds no other mode
            .token(token ?? "")
        }
    }

    /// Every credential value of the profile, for redaction.
    public var secrets: [String] {
        [consumerKey, consumerSecret, accessToken, accessTokenSecret, token].compactMap { $0 }.filter { !$0.isEmpty }
    }

    /// The credential fields as `(name, masked value)`, in store order, for `auth list`.
    public var maskedFields: [(name: String, value: String)] {
        var fields: [(String, String)] = []
        switch mode {
        case .oauth:
            fields.append(("consumer_key", Self.maskIdentifier(consumerKey)))
            fields.append(("consumer_secret", Self.maskSecret(consumerSecret)))
            fields.append(("access_token", Self.maskIdentifier(accessToken)))
            fields.append(("access_token_secret", Self.maskSecret(accessTokenSecret)))
        default:  // .token
            fields.append(("token", Self.maskSecret(token)))
        }
        return fields
    }

    public var description: String {
        let fields = maskedFields.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
        return "\(mode.rawValue) \(username ?? "?") \(baseURL) \(fields)"
    }

    /// An identifier (consumer key, access token) shows its first 4 characters when it is long enough that
    /// the rest stays unguessable (12 or more); a shorter one shows nothing.
    public static func maskIdentifier(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "(none)" }
        return value.count >= 12 ? "\(value.prefix(4))…" : "****"
    }

    /// A secret never shows any of its characters.
    public static func maskSecret(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "(none)" }
        return "****"
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
