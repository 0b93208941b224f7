import Foundation
import Testing
@testable import DiscogsBatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Jobs that name a stored profile: `validate` checks it exists (at the profile's line and column, naming
/// the store), the loader fills the credentials from it, and the job's own consumer key/secret win.
@Suite("CredentialStore in jobs")
struct CredentialStoreJobTests {
    static func store(_ profiles: [String: CredentialProfile]) throws -> (CredentialStore, [String: String]) {
        let directory = try CredentialStoreTests.temporaryDirectory()
        let store = CredentialStore(directory: directory)
        for (name, profile) in profiles { try store.save(profile, as: name) }
        return (store, ["DISCOGS_BATCH_CONFIG_DIR": directory])
    }

    static func job(_ auth: String, baseURL: String? = nil) -> String {
        """
        version: 1
        user_agent: test/1.0
        \(baseURL.map { "base_url: \($0)" } ?? "")
        auth:
        \(auth)
        requests:
          - name: identity
            path: /oauth/identity
        """
    }

    @Test func anOAuthProfileFillsTheCredentialsAndTheBaseURL() throws {
        let (_, environment) = try Self.store(["shop": CredentialStoreTests.oauthProfile.with(baseURL: "http://127.0.0.1:8080")])
        let result = Fixtures.load(Self.job("  mode: oauth\n  profile: shop"), environment: environment)
        #expect(result.errors.map(\.description) == [])
        let job = try #require(result.job)
        #expect(job.auth.profile == "shop")
        #expect(job.baseURL == "http://127.0.0.1:8080")
        let credentials = try Credentials(job: job.auth)
        #expect(credentials == .oauth(
            consumerKey: "store-consumer-key-1234", consumerSecret: "store-consumer-secret-5678",
            accessToken: "store-access-token-9012", accessTokenSecret: "store-access-secret-3456"))
    }

    @Test func theJobsConsumerKeyAndBaseURLWinOverTheProfile() throws {
        let (_, environment) = try Self.store(["shop": CredentialStoreTests.oauthProfile])
        var env = environment
        env["MY_KEY"] = "job-consumer-key-0000"
        env["DISCOGS_CONSUMER_SECRET"] = "env-consumer-secret-1111"
        let result = Fixtures.load(
            Self.job("  mode: oauth\n  profile: shop\n  consumer_key: ${MY_KEY}\n  signature: hmac-sha1", baseURL: "https://example.org"),
            environment: env)
        let job = try #require(result.job)
        #expect(job.baseURL == "https://example.org")
        #expect(job.auth.consumerKey == "job-consumer-key-0000")
        // The profile's secret beats the environment's: it belongs with the profile's access token.
        #expect(job.auth.consumerSecret == "store-consumer-secret-5678")
        #expect(job.auth.signature == .hmacSHA1)
    }

    @Test func aTokenProfileServesTokenMode() throws {
        let (_, environment) = try Self.store([
            "me": .token("store-personal-token-4242", username: "u", baseURL: "https://api.discogs.com"),
        ])
        let result = Fixtures.load(Self.job("  mode: token\n  profile: me"), environment: environment)
        let job = try #require(result.job)
        #expect(try Credentials(job: job.auth) == .token("store-personal-token-4242"))
    }

    @Test func aMissingProfileIsAnErrorAtItsLineAndColumnNamingTheStore() throws {
        let (store, environment) = try Self.store(["shop": CredentialStoreTests.oauthProfile])
        let result = Fixtures.load(Self.job("  mode: oauth\n  profile: nowhere"), environment: environment)
        #expect(result.job == nil)
        #expect(result.errors.map(\.description) == [
            "job.yaml:6:12: error: auth.profile: no profile \"nowhere\" in \(store.path); sign in with: discogs-batch auth login --profile nowhere"
        ])
    }

    @Test func aProfileOfTheOtherModeIsAnError() throws {
        let (_, environment) = try Self.store(["shop": CredentialStoreTests.oauthProfile])
        let result = Fixtures.load(Self.job("  mode: token\n  profile: shop"), environment: environment)
        #expect(result.errors.map(\.description) == [
            "job.yaml:6:12: error: auth.profile: profile \"shop\" holds OAuth credentials; use it with mode: oauth"
        ])
    }

    @Test func anInsecureStoreIsAnErrorWithTheChmod() throws {
        let (store, environment) = try Self.store(["shop": CredentialStoreTests.oauthProfile])
        chmod(store.path, 0o644)
        let result = Fixtures.load(Self.job("  mode: oauth\n  profile: shop"), environment: environment)
        #expect(result.job == nil)
        #expect(result.errors.first?.description.contains("chmod 600 \(store.path)") == true)
        #expect(result.errors.first?.description.hasPrefix("job.yaml:6:12: error: auth.profile: ") == true)
    }

    @Test func credentialsLookUpAProfileForAHandBuiltJobAuth() throws {
        let (_, environment) = try Self.store(["shop": CredentialStoreTests.oauthProfile])
        var auth = JobAuth()
        auth.mode = .oauth
        auth.profile = "shop"
        #expect(try Credentials(job: auth, environment: environment).secrets.contains("store-access-token-9012"))
        auth.profile = "gone"
        #expect(throws: CredentialsError.self) { try Credentials(job: auth, environment: environment) }
    }
}

extension CredentialProfile {
    func with(baseURL: String) -> CredentialProfile {
        var copy = self
        copy.baseURL = baseURL
        return copy
    }
}
