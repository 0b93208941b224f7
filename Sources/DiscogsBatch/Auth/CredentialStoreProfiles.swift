import Foundation

/// The credential store that `environment` locates, as the job loader and `Credentials(job:)` read
/// profiles from it: the one place a job's `auth.profile` is resolved.
public struct CredentialStoreProfiles: StoredProfileSource {
    public let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    public var location: String? {
        CredentialStore.directory(environment: environment).map { CredentialStore(directory: $0).path }
    }

    public func profile(named name: String) throws -> StoredProfile? {
        guard let profile = try CredentialStore(environment: environment).profile(named: name) else { return nil }
        return StoredProfile(
            mode: profile.mode, token: profile.token, consumerKey: profile.consumerKey,
            consumerSecret: profile.consumerSecret, accessToken: profile.accessToken,
            accessTokenSecret: profile.accessTokenSecret, baseURL: profile.baseURL)
    }
}
