/// The sandbox's users and their in-memory data: wantlists (writable), collection folders and
/// inventories. Initial contents come from the seed; writes live until the process ends.
///
/// Users: the configured username (the demo user, 327 wants, 240 collection items (configurable; every 20th
/// a second copy of an earlier release) in folders
/// 1 "Uncategorized" and 2 "Vinyl", 150 listings) and `other_user` (40 wants, 30 items, 12
/// listings), so owner rules can be exercised.
final class UserStore: Sendable {
    struct Want: Sendable {
        var releaseID: Int
        var notes: String
        var rating: Int
        var dateAdded: String
    }

    struct Instance: Sendable {
        var instanceID: Int
        var releaseID: Int
        var folderID: Int
        var rating: Int
        var dateAdded: String
    }

    struct UserData: Sendable {
        var index: Int
        var wants: [Want]
        var collection: [Instance]
        var listingIDs: [Int]
    }

    static let folders: [(id: Int, name: String)] = [(0, "All"), (1, "Uncategorized"), (2, "Vinyl")]

    let usernames: [String]
    private let state: Locked<[String: UserData]>

    init(catalogue: Catalogue, mainUser: String, collectionItems: Int = 240) {
        let other = mainUser == "other_user" ? "second_user" : "other_user"
        let usernames = [mainUser, other]
        self.usernames = usernames
        var data: [String: UserData] = [:]
        for (index, name) in usernames.enumerated() {
            var rng = SeededRandom(seed: catalogue.seed, kind: Catalogue.Kind.user.rawValue, id: UInt64(index))
            let wantCount = index == 0 ? 327 : 40
            let itemCount = index == 0 ? collectionItems : 30
            let listingCount = index == 0 ? 150 : 12
            var seen = Set<Int>()
            var wants: [Want] = []
            while wants.count < wantCount {
                let release = rng.int(Catalogue.releaseIDs)
                guard seen.insert(release).inserted else { continue }
                wants.append(Want(
                    releaseID: release, notes: rng.chance(0.2) ? rng.pick(Vocabulary.sentences) : "",
                    rating: rng.chance(0.3) ? rng.int(1...5) : 0, dateAdded: Catalogue.date(&rng, from: 2012)))
            }
            var collection = (0..<itemCount).map { item in
                Instance(
                    instanceID: 100_000 * (index + 1) + item, releaseID: rng.int(Catalogue.releaseIDs),
                    folderID: rng.chance(0.65) ? 1 : 2, rating: rng.chance(0.4) ? rng.int(1...5) : 0,
                    dateAdded: Catalogue.date(&rng, from: 2010))
            }
            // As real collectors do, some own a release twice (one copy in each folder, say): every
            // 20th item is a second copy of the release seven items before it.
            for item in stride(from: 19, to: collection.count, by: 20) {
                collection[item].releaseID = collection[item - 7].releaseID
            }
            let listings = (1...listingCount).map { index + usernames.count * $0 }
            data[name] = UserData(index: index, wants: wants, collection: collection, listingIDs: listings)
        }
        self.state = Locked(data)
    }

    func exists(_ username: String) -> Bool {
        usernames.contains(username)
    }

    func userID(_ username: String) -> Int {
        (usernames.firstIndex(of: username) ?? 0) + 1
    }

    func wants(of username: String) -> [Want]? {
        state.withLock { $0[username]?.wants }
    }

    /// Adds or updates a want; `created` tells which.
    func putWant(of username: String, releaseID: Int, notes: String?, rating: Int?, dateAdded: String) -> (want: Want, created: Bool)? {
        state.withLock { data in
            guard var user = data[username] else { return nil }
            defer { data[username] = user }
            if let index = user.wants.firstIndex(where: { $0.releaseID == releaseID }) {
                if let notes { user.wants[index].notes = notes }
                if let rating { user.wants[index].rating = rating }
                return (user.wants[index], false)
            }
            let want = Want(releaseID: releaseID, notes: notes ?? "", rating: rating ?? 0, dateAdded: dateAdded)
            user.wants.append(want)
            return (want, true)
        }
    }

    /// Removes a want; false when it was not there.
    func deleteWant(of username: String, releaseID: Int) -> Bool {
        state.withLock { data in
            guard let index = data[username]?.wants.firstIndex(where: { $0.releaseID == releaseID }) else { return false }
            data[username]?.wants.remove(at: index)
            return true
        }
    }

    /// Adds a release to a folder as a new instance; nil for an unknown user.
    func addInstance(of username: String, releaseID: Int, folderID: Int, dateAdded: String) -> Instance? {
        state.withLock { data -> Instance? in
            guard var user = data[username] else { return nil }
            let id = (user.collection.map(\.instanceID).max() ?? 0) + 1
            let instance = Instance(instanceID: id, releaseID: releaseID, folderID: folderID, rating: 0, dateAdded: dateAdded)
            user.collection.append(instance)
            data[username] = user
            return instance
        }
    }

    func collection(of username: String) -> [Instance]? {
        state.withLock { $0[username]?.collection }
    }

    func listingIDs(of username: String) -> [Int]? {
        state.withLock { $0[username]?.listingIDs }
    }
}
