import Foundation

extension SandboxResponder {
    /// `POST /_sandbox/collection/grow?username=U&count=N`: adds N releases the user's collection does
    /// not hold yet to folder 1, as N `POST .../collection/folders/1/releases/{id}` would, without
    /// spending the rate budget (tests grow a collection of thousands between two runs). The release
    /// ids are deterministic: the same calls on the same seed add the same releases.
    func growCollection(_ request: SandboxRequest) -> SandboxReply {
        guard request.method == "POST" else { return .methodNotAllowed(["POST"]) }
        let username = request.query("username") ?? state.configuration.credentials.username
        guard let text = request.query("count"), let count = Int(text), (1...100_000).contains(count) else {
            return .message(422, "count must be from 1 to 100000, e.g. /_sandbox/collection/grow?count=10.")
        }
        guard let collection = state.users.collection(of: username) else { return .notFound(Self.unknownUser) }
        var held = Set(collection.map(\.releaseID))
        let stamp = ISO8601DateFormatter().string(from: state.now)
        var added: [JSONValue] = []
        var candidate = Catalogue.releaseIDs.upperBound - collection.count * 7
        while added.count < count {
            candidate = candidate > Catalogue.releaseIDs.lowerBound ? candidate - 1 : Catalogue.releaseIDs.upperBound
            guard held.insert(candidate).inserted,
                state.users.addInstance(of: username, releaseID: candidate, folderID: 1, dateAdded: stamp) != nil
            else { continue }
            added.append(.int(candidate))
        }
        return .json(.object([("username", .string(username)), ("added", .array(added))]))
    }
}
