/// Where the job loader finds the profiles `auth.profile` names, without reading a credential store
/// itself: Auth's `CredentialStoreProfiles` is the one the commands use (`JobLoader.withCredentialStore`).
public protocol StoredProfileSource: Sendable {
    /// The store's file, for messages; nil when nothing locates a store.
    var location: String? { get }
    /// The profile named `name`, nil when the store holds none; throws, with the message to show, when
    /// the store cannot be used (unreadable, refused for its permissions, not parsing).
    func profile(named name: String) throws -> StoredProfile?
}
