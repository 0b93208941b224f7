import Foundation

/// OAuth 1.0a state: request tokens on their way through authorize and exchange, access tokens
/// (the configured one and those the flow mints), and the nonces already seen.
final class OAuthStore: Sendable {
    /// Request tokens and verifiers live this long (Discogs: 15 minutes).
    static let lifetime: TimeInterval = 15 * 60
    /// Nonces are remembered for as long as their timestamps can be accepted.
    static let timestampTolerance: TimeInterval = 10 * 60

    struct RequestToken: Sendable {
        var token: String
        var secret: String
        var callback: String
        var createdAt: Date
        var verifier: String?
        var verifiedAt: Date?
        var denied = false
    }

    enum FlowError: Error, Equatable, CustomStringConvertible {
        case unknownToken, expired, denied, notAuthorized, wrongVerifier

        var description: String {
            switch self {
            case .unknownToken: "Invalid or already used request token."
            case .expired: "The request token or verifier has expired (they are valid for 15 minutes)."
            case .denied: "The user denied access to this application."
            case .notAuthorized: "The request token has not been authorized by the user yet."
            case .wrongVerifier: "Invalid OAuth verifier."
            }
        }
    }

    private struct State {
        var requestTokens: [String: RequestToken] = [:]
        var accessTokens: [String: (secret: String, username: String)] = [:]
        var nonces: [String: Date] = [:]
        var lastPrune = Date.distantPast
    }

    private let state = Locked(State())

    init(accessToken: String, accessTokenSecret: String, username: String) {
        state.withLock { $0.accessTokens[accessToken] = (accessTokenSecret, username) }
    }

    static func randomToken(_ length: Int = 24) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    func issueRequestToken(callback: String, now: Date) -> RequestToken {
        let record = RequestToken(token: Self.randomToken(), secret: Self.randomToken(32), callback: callback, createdAt: now)
        state.withLock { $0.requestTokens[record.token] = record }
        return record
    }

    /// A live request token (nil when unknown or expired).
    func requestToken(_ token: String, now: Date) -> Result<RequestToken, FlowError> {
        state.withLock { state in
            guard let record = state.requestTokens[token] else { return .failure(.unknownToken) }
            if now.timeIntervalSince(record.createdAt) > Self.lifetime { return .failure(.expired) }
            return .success(record)
        }
    }

    /// The user's answer on the authorize page.
    func authorize(_ token: String, approve: Bool, now: Date) -> Result<RequestToken, FlowError> {
        state.withLock { state in
            guard var record = state.requestTokens[token] else { return .failure(.unknownToken) }
            if now.timeIntervalSince(record.createdAt) > Self.lifetime { return .failure(.expired) }
            if record.denied { return .failure(.denied) }
            if approve {
                if record.verifier == nil {
                    record.verifier = Self.randomToken(12)
                    record.verifiedAt = now
                }
            } else {
                record.denied = true
            }
            state.requestTokens[token] = record
            return .success(record)
        }
    }

    /// Exchanges an authorised request token and its verifier for an access token. The request
    /// token is used up on success and on a wrong verifier (as a one-time credential should be).
    func exchange(_ token: String, verifier: String, username: String, now: Date) -> Result<(token: String, secret: String), FlowError> {
        state.withLock { state in
            guard let record = state.requestTokens[token] else { return .failure(.unknownToken) }
            if now.timeIntervalSince(record.createdAt) > Self.lifetime { return .failure(.expired) }
            if record.denied { return .failure(.denied) }
            guard let expected = record.verifier, let verifiedAt = record.verifiedAt else { return .failure(.notAuthorized) }
            if now.timeIntervalSince(verifiedAt) > Self.lifetime { return .failure(.expired) }
            guard verifier == expected else {
                state.requestTokens[token] = nil
                return .failure(.wrongVerifier)
            }
            state.requestTokens[token] = nil
            let access = (token: Self.randomToken(), secret: Self.randomToken(32))
            state.accessTokens[access.token] = (access.secret, username)
            return .success(access)
        }
    }

    func accessToken(_ token: String) -> (secret: String, username: String)? {
        state.withLock { $0.accessTokens[token] }
    }

    /// Records a nonce; false when the same (consumer, token, timestamp, nonce) was seen before.
    func useNonce(consumerKey: String, token: String, timestamp: String, nonce: String, now: Date) -> Bool {
        let key = "\(consumerKey)\u{1}\(token)\u{1}\(timestamp)\u{1}\(nonce)"
        return state.withLock { state in
            if now.timeIntervalSince(state.lastPrune) > 60 {
                let cutoff = now.addingTimeInterval(-2 * Self.timestampTolerance - 60)
                state.nonces = state.nonces.filter { $0.value > cutoff }
                state.lastPrune = now
            }
            if state.nonces[key] != nil { return false }
            state.nonces[key] = now
            return true
        }
    }
}
