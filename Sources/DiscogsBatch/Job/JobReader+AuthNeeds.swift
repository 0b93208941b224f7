/// Which requests a credential mode cannot serve, by the Discogs authentication docs' table:
/// search needs authentication (a consumer key and secret are enough: the docs' own search example uses
/// them); `/oauth/identity`, any write and another user's private data act as a user (token or oauth).
extension JobReader {
    /// The warning for a request that `mode` cannot serve, naming the modes it needs; nil when it can.
    static func unservedNeed(path: String, method: HTTPMethod, mode: AuthMode) -> String? {
        let actsAsUser = mode == .token || mode == .oauth
        if path.hasPrefix("/oauth/identity"), !actsAsUser {
            return "\(path) tells who is signed in; \(mode.rawValue) mode cannot serve it: use auth mode token or oauth"
        }
        if method != .GET, !actsAsUser {
            return "\(method.rawValue) acts as a user; \(mode.rawValue) mode cannot serve it: use auth mode token or oauth"
        }
        if path.hasPrefix("/database/search"), mode == .none {
            return "\(path) needs authentication; none mode cannot serve it: use auth mode key_secret, token or oauth"
        }
        return nil
    }
}
