import Foundation

extension JobLoader {
    /// A loader whose jobs may name a stored profile (`auth.profile`), read from the credential store
    /// the same environment locates.
    public static func withCredentialStore(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> JobLoader {
        var loader = JobLoader(environment: environment)
        loader.profiles = CredentialStoreProfiles(environment: environment)
        return loader
    }
}
