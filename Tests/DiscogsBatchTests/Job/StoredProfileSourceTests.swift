import Testing

@testable import DiscogsBatch

/// The loader reads `auth.profile` only through its `StoredProfileSource`: Job describes, Auth's
/// credential store provides (CredentialStoreJobTests covers the real store).
@Suite struct StoredProfileSourceTests {
    struct Fake: StoredProfileSource {
        var location: String? = "/fake/credentials.json"
        var profiles: [String: StoredProfile] = [:]
        func profile(named name: String) throws -> StoredProfile? { profiles[name] }
    }

    static let yaml = """
        version: 1
        user_agent: test/1.0
        auth: {mode: token, profile: me}
        requests:
          - {name: r, path: /releases/1}
        """

    func load(_ source: (any StoredProfileSource)?) -> JobLoader.Result {
        var loader = JobLoader(environment: [:])
        loader.profiles = source
        return loader.load(bytes: Array(Self.yaml.utf8), file: "job.yaml")
    }

    @Test func theSourcesProfileFillsTheJob() throws {
        let profile = StoredProfile(mode: .token, token: "fake-token-0123", baseURL: "http://127.0.0.1:9")
        let job = try #require(load(Fake(profiles: ["me": profile])).job)
        #expect(job.auth.token == "fake-token-0123")
        #expect(job.auth.profile == "me")
        #expect(job.baseURL == "http://127.0.0.1:9")
    }

    @Test func aMissingProfileNamesTheSourcesLocation() {
        #expect(load(Fake()).errors.map(\.description) == [
            "job.yaml:3:30: error: auth.profile: no profile \"me\" in /fake/credentials.json; sign in with: discogs-batch auth login --profile me"
        ])
    }

    @Test func withoutASourceNoStoreIsRead() {
        #expect(load(nil).errors.map(\.description) == [
            "job.yaml:3:30: error: auth.profile: no credential store to read profile \"me\" from: set HOME, XDG_CONFIG_HOME or DISCOGS_BATCH_CONFIG_DIR"
        ])
    }
}
