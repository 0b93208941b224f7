import Foundation
import Testing

@testable import DiscogsBatch

@Suite struct AuthCredentialsTests {
    static let oauth = Credentials.oauth(
        consumerKey: "ckey-1234", consumerSecret: "csec-5678", accessToken: "atok-9012", accessTokenSecret: "asec-3456")

    @Test func tierFollowsMode() {
        #expect(Credentials.none.tier == .low)
        #expect(Credentials.keySecret(key: "kkkk", secret: "ssss").tier == .high)
        #expect(Credentials.token("tttt").tier == .high)
        #expect(Self.oauth.tier == .high)
        #expect(RateTier.low.limit == 25 && RateTier.high.limit == 60 && RateTier.high.window == .seconds(60))
    }

    @Test func secretsListEveryValue() {
        #expect(Credentials.none.secrets.isEmpty)
        #expect(Credentials.keySecret(key: "kkkk", secret: "ssss", sendAs: .query).secrets == ["kkkk", "ssss"])
        #expect(Credentials.token("tttt").secrets == ["tttt"])
        #expect(Set(Self.oauth.secrets) == ["ckey-1234", "csec-5678", "atok-9012", "asec-3456"])
    }

    @Test func fingerprintIsStableHexAndFreeOfValues() {
        let all: [Credentials] = [
            .none, .keySecret(key: "kkkk", secret: "ssss"), .token("tttttttt"), Self.oauth,
        ]
        for credentials in all {
            let fingerprint = credentials.fingerprint
            #expect(fingerprint.count == 16)
            #expect(fingerprint.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            #expect(fingerprint == credentials.fingerprint)
            for secret in credentials.secrets { #expect(!fingerprint.contains(secret)) }
        }
        #expect(Set(all.map(\.fingerprint)).count == all.count)
    }

    @Test func fingerprintIgnoresSecretsAndPlacement() {
        #expect(
            Credentials.keySecret(key: "kkkk", secret: "s1s1", sendAs: .header).fingerprint
                == Credentials.keySecret(key: "kkkk", secret: "s2s2", sendAs: .query).fingerprint)
        #expect(Credentials.token("abcd", sendAs: .query).fingerprint == Credentials.token("abcd").fingerprint)
        #expect(Credentials.token("abcd").fingerprint != Credentials.token("abce").fingerprint)
        // Field boundaries matter: ("ab", "c") is not ("a", "bc").
        #expect(
            Credentials.oauth(consumerKey: "ab", consumerSecret: "x", accessToken: "c", accessTokenSecret: "y")
                .fingerprint
                != Credentials.oauth(consumerKey: "a", consumerSecret: "x", accessToken: "bc", accessTokenSecret: "y")
                .fingerprint)
        // The signature method does not change who is paced.
        #expect(
            Self.oauth.fingerprint
                == Credentials.oauth(
                    consumerKey: "ckey-1234", consumerSecret: "other", accessToken: "atok-9012", accessTokenSecret: "o",
                    signature: .hmacSHA1
                ).fingerprint)
    }

    @Test func validationRefusesEmptyAndShortValues() {
        #expect(Credentials.none.validationProblems().isEmpty)
        #expect(Self.oauth.validationProblems().isEmpty)
        #expect(Credentials.token("").validationProblems() == ["token: token is empty"])
        let problems = Credentials.keySecret(key: "abc", secret: "abcd").validationProblems()
        #expect(problems.count == 1)
        #expect(problems.first?.contains("consumer_key is shorter than 4") == true)
        #expect(problems.first?.hasPrefix("key_secret: ") == true)
        #expect(problems.first?.contains("\"abc\"") == false)  // never the value itself
    }
}

@Suite struct AuthDiscogsAuthTests {
    static let fixed = OAuthNonceSource.fixed(nonce: "nonce123", timestamp: 1_700_000_000)

    func additions(_ credentials: Credentials, _ url: String = "https://api.discogs.com/releases/1?curr_abbr=EUR")
        -> AuthAdditions?
    {
        DiscogsAuth(credentials: credentials, nonceSource: Self.fixed).additions(method: "GET", url: url)
    }

    @Test func constantHeadersAreMadeOnlyForModesThatNeverChange() {
        func constant(_ credentials: Credentials) -> [String]? {
            DiscogsAuth(credentials: credentials).constantHeaders?.map { "\($0.name): \($0.value)" }
        }
        #expect(constant(.none) == [])
        #expect(constant(.token("T0k3n")) == ["Authorization: Discogs token=T0k3n"])
        #expect(constant(.keySecret(key: "K3y1", secret: "S3c1")) == ["Authorization: Discogs key=K3y1, secret=S3c1"])
        #expect(constant(.token("T0k3n", sendAs: .query)) == nil)
        #expect(constant(.keySecret(key: "K3y1", secret: "S3c1", sendAs: .query)) == nil)
        #expect(constant(AuthCredentialsTests.oauth) == nil)
    }

    @Test func noneAddsNothing() {
        #expect(additions(.none) == AuthAdditions())
    }

    @Test func headerForms() {
        #expect(additions(.token("T0k3n")) == AuthAdditions(headers: ["Authorization": "Discogs token=T0k3n"]))
        #expect(
            additions(.keySecret(key: "K3y1", secret: "S3c1"))
                == AuthAdditions(headers: ["Authorization": "Discogs key=K3y1, secret=S3c1"]))
    }

    @Test func queryForms() throws {
        let token = try #require(additions(.token("T0k3n", sendAs: .query)))
        #expect(token.headers.isEmpty)
        #expect(token.queryItems == [URLQueryItem(name: "token", value: "T0k3n")])
        let keySecret = try #require(additions(.keySecret(key: "K3y1", secret: "S3c1", sendAs: .query)))
        #expect(
            keySecret.queryItems == [
                URLQueryItem(name: "key", value: "K3y1"), URLQueryItem(name: "secret", value: "S3c1"),
            ])
        let url = keySecret.apply(
            to: try #require(URLComponents(string: "https://api.discogs.com/database/search?q=a+b")))
        #expect(url.string == "https://api.discogs.com/database/search?q=a+b&key=K3y1&secret=S3c1")
    }

    @Test func queryValuesAreStrictlyEncoded() throws {
        let token = try #require(additions(.token("a+b/c=d", sendAs: .query)))
        let url = token.apply(to: try #require(URLComponents(string: "https://api.discogs.com/x")))
        #expect(url.string == "https://api.discogs.com/x?token=a%2Bb%2Fc%3Dd")
    }

    @Test func oauthPlaintextHeader() throws {
        let header = try #require(additions(AuthCredentialsTests.oauth)?.headers["Authorization"])
        #expect(
            header
                == "OAuth oauth_consumer_key=\"ckey-1234\", oauth_token=\"atok-9012\", oauth_signature_method=\"PLAINTEXT\", "
                + "oauth_timestamp=\"1700000000\", oauth_nonce=\"nonce123\", oauth_version=\"1.0\", "
                + "oauth_signature=\"csec-5678%26asec-3456\"")
    }

    /// HMAC-SHA1 through DiscogsAuth equals the pure signer on the same inputs (query parameters signed).
    @Test func oauthHMACMatchesSigner() throws {
        let credentials = Credentials.oauth(
            consumerKey: "ckey-1234", consumerSecret: "csec-5678", accessToken: "atok-9012",
            accessTokenSecret: "asec-3456",
            signature: .hmacSHA1)
        let url = try #require(URLComponents(string: "https://api.discogs.com/releases/1?curr_abbr=EUR"))
        let header = try #require(additions(credentials)?.headers["Authorization"])
        let expected = OAuth1Signer.authorizationHeader(
            for: OAuth1Request(
                method: "GET", url: url, consumerKey: "ckey-1234", consumerSecret: "csec-5678", token: "atok-9012",
                tokenSecret: "asec-3456", signatureMethod: .hmacSHA1, timestamp: 1_700_000_000, nonce: "nonce123"))
        #expect(header == expected)
        #expect(header.contains("oauth_signature_method=\"HMAC-SHA1\""))
    }

    @Test func freshNonceEveryCall() throws {
        let counter = AuthTestCounter()
        let source = OAuthNonceSource(nonce: { "n\(counter.next())" }, timestamp: { 1 })
        let auth = DiscogsAuth(credentials: AuthCredentialsTests.oauth, nonceSource: source)
        let first = try #require(
            auth.additions(method: "GET", url: "https://api.discogs.com/")?.headers["Authorization"])
        let second = try #require(
            auth.additions(method: "GET", url: "https://api.discogs.com/")?.headers["Authorization"])
        #expect(first.contains("oauth_nonce=\"n1\"") && second.contains("oauth_nonce=\"n2\""))
    }

    @Test func systemNoncesDiffer() {
        let a = OAuthNonceSource.system.nonce()
        let b = OAuthNonceSource.system.nonce()
        #expect(a.count == 32 && b.count == 32 && a != b)
        #expect(OAuthNonceSource.system.timestamp() > 1_600_000_000)
    }
}

/// A thread-safe counter for injected generators.
final class AuthTestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
