import Foundation

extension SandboxResponder {
    static let unknownUser = "User does not exist or may have been deleted."

    /// nil when `principal` is `username`; otherwise 401 (no user) or 403 (another user).
    func requireOwner(_ username: String, _ principal: Principal) -> SandboxReply? {
        guard let me = principal.username else {
            return .unauthorized("You must authenticate as \(username) to access this resource.")
        }
        guard me == username else {
            return .message(403, "You don't have permission to access this resource.")
        }
        return nil
    }

    func userProfile(_ username: String, principal: Principal) -> SandboxReply {
        let users = state.users
        guard users.exists(username) else { return .notFound(Self.unknownUser) }
        let base = "\(state.baseURL)/users/\(username)"
        var rng = SeededRandom(seed: state.configuration.seed, kind: Catalogue.Kind.user.rawValue, id: UInt64(users.userID(username)) &* 7)
        var fields: [(String, JSONValue)] = [
            ("id", .int(users.userID(username))),
            ("username", .string(username)),
            ("resource_url", .string(base)),
            ("uri", .string("\(state.baseURL)/user/\(username)")),
            ("name", .string(Vocabulary.personName(&rng))),
            ("home_page", ""),
            ("location", .string(rng.pick(Vocabulary.countries))),
            ("profile", .string(rng.pick(Vocabulary.sentences))),
            ("registered", .string(Catalogue.date(&rng, from: 2005))),
            ("rank", .int(rng.int(0...500))),
            ("num_pending", 0),
            ("num_for_sale", .int(users.listingIDs(of: username)?.count ?? 0)),
            ("num_lists", .int(rng.int(0...10))),
            ("releases_contributed", .int(rng.int(0...300))),
            ("releases_rated", .int(rng.int(0...800))),
            ("rating_avg", .decimal(Double(rng.int(300...500)) / 100)),
            ("num_collection", .int(users.collection(of: username)?.count ?? 0)),
            ("num_wantlist", .int(users.wants(of: username)?.count ?? 0)),
            ("inventory_url", .string("\(base)/inventory")),
            ("collection_folders_url", .string("\(base)/collection/folders")),
            ("collection_fields_url", .string("\(base)/collection/fields")),
            ("wantlist_url", .string("\(base)/wants")),
            ("avatar_url", .string(principal.isAuthenticated ? "\(state.baseURL)/images/avatar-\(username).jpeg" : "")),
            ("curr_abbr", "USD"),
            ("activated", true),
            ("marketplace_suspended", false),
        ]
        if principal.username == username {
            fields.append(("email", .string("\(username)@sandbox.invalid")))
        }
        return .json(.object(fields))
    }

    func wantJSON(_ want: UserStore.Want, user: String, authenticated: Bool) -> JSONValue {
        .object([
            ("id", .int(want.releaseID)),
            ("rating", .int(want.rating)),
            ("notes", .string(want.notes)),
            ("resource_url", .string("\(state.baseURL)/users/\(user)/wants/\(want.releaseID)")),
            ("date_added", .string(want.dateAdded)),
            ("basic_information", state.catalogue.releaseSummary(id: want.releaseID, authenticated: authenticated)),
        ])
    }

    func wantlist(_ username: String, request: SandboxRequest, principal: Principal, paginator: Paginator) -> SandboxReply {
        guard let wants = state.users.wants(of: username) else { return .notFound(Self.unknownUser) }
        let list = GeneratedList(key: "wants", count: wants.count) { index in
            wantJSON(wants[index], user: username, authenticated: principal.isAuthenticated)
        }
        return paginator.reply(list, request: request)
    }

    func putWant(user: String, release: String, request: SandboxRequest, principal: Principal) -> SandboxReply {
        guard state.users.exists(user) else { return .notFound(Self.unknownUser) }
        if let refusal = requireOwner(user, principal) { return refusal }
        guard let releaseID = Int(release) else { return .message(422, "Invalid release id '\(release)'.") }
        guard Catalogue.releaseIDs.contains(releaseID) else { return .notFound("Release not found.") }
        var notes = request.query("notes")
        var rating = request.query("rating").flatMap { Int($0) }
        if request.query("rating") != nil && rating == nil { return .message(422, "Invalid rating: use 0 to 5.") }
        let bodyText = String(decoding: request.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if !bodyText.isEmpty {
            if request.isFormBody {
                notes = request.form("notes") ?? notes
                if let text = request.form("rating") {
                    guard let value = Int(text) else { return .message(422, "Invalid rating: use 0 to 5.") }
                    rating = value
                }
            } else {
                guard let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
                    return .message(422, "The request body must be a JSON object such as {\"notes\": \"...\", \"rating\": 4}.")
                }
                if let value = object["notes"] {
                    guard let text = value as? String else { return .message(422, "notes must be a string.") }
                    notes = text
                }
                if let value = object["rating"] {
                    guard let number = value as? Int else { return .message(422, "Invalid rating: use 0 to 5.") }
                    rating = number
                }
            }
        }
        if let rating, !(0...5).contains(rating) { return .message(422, "Invalid rating: use 0 to 5.") }
        let stamp = ISO8601DateFormatter().string(from: state.now)
        guard let result = state.users.putWant(of: user, releaseID: releaseID, notes: notes, rating: rating, dateAdded: stamp) else {
            return .notFound(Self.unknownUser)
        }
        var reply = SandboxReply.json(wantJSON(result.want, user: user, authenticated: true), status: result.created ? 201 : 200)
        if result.created { reply.headers.append((.location, "\(state.baseURL)/users/\(user)/wants/\(releaseID)")) }
        return reply
    }

    /// `POST /users/{u}/collection/folders/{folder}/releases/{release_id}`: adds an instance (owner only;
    /// not to folder 0, "All"). Not idempotent: each POST adds another instance, as on Discogs.
    func addToFolder(user: String, folder: String, release: String, principal: Principal) -> SandboxReply {
        guard state.users.exists(user) else { return .notFound(Self.unknownUser) }
        if let refusal = requireOwner(user, principal) { return refusal }
        guard let folderID = Int(folder), folderID >= 1 else {
            return .message(422, "Releases are added to a folder other than 0 (\"All\"), e.g. folder 1.")
        }
        guard let releaseID = Int(release), Catalogue.releaseIDs.contains(releaseID) else {
            return .notFound("Release not found.")
        }
        let stamp = ISO8601DateFormatter().string(from: state.now)
        guard let instance = state.users.addInstance(of: user, releaseID: releaseID, folderID: folderID, dateAdded: stamp) else {
            return .notFound(Self.unknownUser)
        }
        let url = "\(state.baseURL)/users/\(user)/collection/folders/\(folderID)/releases/\(releaseID)/instances/\(instance.instanceID)"
        return .json(.object([("instance_id", .int(instance.instanceID)), ("resource_url", .string(url))]), status: 201)
    }

    func deleteWant(user: String, release: String, principal: Principal) -> SandboxReply {
        guard state.users.exists(user) else { return .notFound(Self.unknownUser) }
        if let refusal = requireOwner(user, principal) { return refusal }
        guard let releaseID = Int(release) else { return .message(422, "Invalid release id '\(release)'.") }
        guard state.users.deleteWant(of: user, releaseID: releaseID) else {
            return .notFound("Release \(releaseID) is not in the wantlist of \(user).")
        }
        return .noContent
    }

    func inventory(_ username: String, request: SandboxRequest, principal: Principal, paginator: Paginator) -> SandboxReply {
        guard let listings = state.users.listingIDs(of: username) else { return .notFound(Self.unknownUser) }
        let catalogue = state.catalogue
        let users = state.users.usernames
        let list = GeneratedList(key: "listings", count: listings.count) { index in
            catalogue.listing(id: listings[index], users: users, authenticated: principal.isAuthenticated, viewer: principal.username) ?? .null
        }
        return paginator.reply(list, request: request, cap: principal.username == username ? nil : .foreignInventory)
    }

    // MARK: collection

    func folderJSON(_ username: String, id: Int, name: String, count: Int) -> JSONValue {
        .object([
            ("id", .int(id)), ("name", .string(name)), ("count", .int(count)),
            ("resource_url", .string("\(state.baseURL)/users/\(username)/collection/folders/\(id)")),
        ])
    }

    private func folderCount(_ collection: [UserStore.Instance], _ id: Int) -> Int {
        id == 0 ? collection.count : collection.filter { $0.folderID == id }.count
    }

    /// Everyone sees folder 0; the owner sees every folder.
    func folders(_ username: String, principal: Principal) -> SandboxReply {
        guard let collection = state.users.collection(of: username) else { return .notFound(Self.unknownUser) }
        let visible = UserStore.folders.filter { $0.id == 0 || principal.username == username }
        return .json(.object([("folders", .array(visible.map {
            folderJSON(username, id: $0.id, name: $0.name, count: folderCount(collection, $0.id))
        }))]))
    }

    func folder(_ username: String, folder: String, principal: Principal) -> SandboxReply {
        guard let collection = state.users.collection(of: username) else { return .notFound(Self.unknownUser) }
        guard let id = Int(folder), let entry = UserStore.folders.first(where: { $0.id == id }) else {
            return .notFound("Folder not found.")
        }
        if id != 0, let refusal = requireOwner(username, principal) { return refusal }
        return .json(folderJSON(username, id: id, name: entry.name, count: folderCount(collection, id)))
    }

    func folderReleases(_ username: String, folder: String, request: SandboxRequest, principal: Principal, paginator: Paginator) -> SandboxReply {
        guard let collection = state.users.collection(of: username) else { return .notFound(Self.unknownUser) }
        guard let id = Int(folder), UserStore.folders.contains(where: { $0.id == id }) else {
            return .notFound("Folder not found.")
        }
        if id != 0, let refusal = requireOwner(username, principal) { return refusal }
        let items = id == 0 ? collection : collection.filter { $0.folderID == id }
        let catalogue = state.catalogue
        let list = GeneratedList(key: "releases", count: items.count) { index in
            let item = items[index]
            return .object([
                ("id", .int(item.releaseID)),
                ("instance_id", .int(item.instanceID)),
                ("date_added", .string(item.dateAdded)),
                ("rating", .int(item.rating)),
                ("folder_id", .int(item.folderID)),
                ("basic_information", catalogue.releaseSummary(id: item.releaseID, authenticated: principal.isAuthenticated)),
            ])
        }
        return paginator.reply(list, request: request)
    }
}
