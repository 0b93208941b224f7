import NIOCore

extension SandboxResponder {
    /// Dispatches a Discogs API path. Unknown paths are 404, known paths with another method 405.
    func route(_ request: SandboxRequest, principal: Principal) -> SandboxReply {
        let segments = request.segments
        let method = request.method == "HEAD" ? "GET" : request.method
        let catalogue = state.catalogue
        let authenticated = principal.isAuthenticated
        let paginator = Paginator(baseURL: catalogue.baseURL)

        func get(_ body: () -> SandboxReply) -> SandboxReply {
            method == "GET" ? body() : .methodNotAllowed(["GET"])
        }
        func entity(_ text: String, _ name: String, _ make: (Int) -> JSONValue?) -> SandboxReply {
            guard let id = Int(text), let value = make(id) else { return .notFound("\(name) not found.") }
            return .json(value)
        }
        func list(_ text: String, _ name: String, _ make: (Int) -> GeneratedList?) -> SandboxReply {
            guard let id = Int(text), let value = make(id) else { return .notFound("\(name) not found.") }
            return paginator.reply(value, request: request)
        }

        switch segments.count {
        case 0:
            return get {
                .json(.object([
                    ("hello", "Welcome to the discogs-batch sandbox, a Discogs-compatible test server."),
                    ("api_version", "v2"),
                    ("documentation_url", "https://www.discogs.com/developers/"),
                    ("statistics", .object([("releases", .int(Catalogue.releaseIDs.upperBound)), ("artists", .int(Catalogue.artistIDs.upperBound)), ("labels", .int(Catalogue.labelIDs.upperBound))])),
                ]))
            }
        case 2:
            let (kind, id) = (segments[0], segments[1])
            switch kind {
            case "releases":
                return get {
                    guard let number = Int(id), Catalogue.releaseIDs.contains(number) else { return .notFound("Release not found.") }
                    let body = state.releases.body(id: number, authenticated: authenticated) {
                        catalogue.release(id: number, authenticated: authenticated).map { ByteBuffer(bytes: $0.bytes) }
                    }
                    return body.map { .bytes($0) } ?? .notFound("Release not found.")
                }
            case "masters": return get { entity(id, "Master") { catalogue.master(id: $0, authenticated: authenticated) } }
            case "artists": return get { entity(id, "Artist") { catalogue.artist(id: $0, authenticated: authenticated) } }
            case "labels": return get { entity(id, "Label") { catalogue.label(id: $0, authenticated: authenticated) } }
            case "users": return get { userProfile(id, principal: principal) }
            case "database" where id == "search":
                return get {
                    // Discogs's own example searches with a consumer key and secret: any credential will do.
                    guard authenticated else {
                        return .unauthorized("You must authenticate to access this resource.")
                    }
                    return paginator.reply(
                        catalogue.search(parameters: request.query, authenticated: authenticated), request: request, cap: .search)
                }
            case "oauth" where id == "identity":
                return get { identity(principal) }
            default:
                return .notFound()
            }
        case 3:
            let (kind, id, leaf) = (segments[0], segments[1], segments[2])
            switch (kind, leaf) {
            case ("releases", "rating"): return get { entity(id, "Release") { catalogue.releaseRating(id: $0) } }
            case ("releases", "stats"): return get { entity(id, "Release") { catalogue.releaseStats(id: $0) } }
            case ("masters", "versions"): return get { list(id, "Master") { catalogue.masterVersions(id: $0, authenticated: authenticated) } }
            case ("artists", "releases"): return get { list(id, "Artist") { catalogue.artistReleases(id: $0, authenticated: authenticated) } }
            case ("labels", "releases"): return get { list(id, "Label") { catalogue.labelReleases(id: $0, authenticated: authenticated) } }
            case ("users", "wants"): return get { wantlist(id, request: request, principal: principal, paginator: paginator) }
            case ("users", "inventory"): return get { inventory(id, request: request, principal: principal, paginator: paginator) }
            case ("marketplace", _) where kind == "marketplace" && segments[1] == "listings":
                return get {
                    entity(leaf, "Listing") { catalogue.listing(id: $0, users: state.users.usernames, authenticated: authenticated, viewer: principal.username) }
                }
            case ("marketplace", _) where segments[1] == "stats":
                return get {
                    entity(leaf, "Release") { catalogue.marketplaceStats(releaseID: $0, currency: request.query("curr_abbr") ?? "USD") }
                }
            default:
                return .notFound()
            }
        case 4:
            if segments[0] == "users", segments[2] == "wants" {
                switch method {
                case "PUT": return putWant(user: segments[1], release: segments[3], request: request, principal: principal)
                case "DELETE": return deleteWant(user: segments[1], release: segments[3], principal: principal)
                default: return .methodNotAllowed(["PUT", "DELETE"])
                }
            }
            if segments[0] == "users", segments[2] == "collection", segments[3] == "folders" {
                return get { folders(segments[1], principal: principal) }
            }
            return .notFound()
        case 5:
            if segments[0] == "users", segments[2] == "collection", segments[3] == "folders" {
                return get { folder(segments[1], folder: segments[4], principal: principal) }
            }
            return .notFound()
        case 6:
            if segments[0] == "users", segments[2] == "collection", segments[3] == "folders", segments[5] == "releases" {
                return get {
                    folderReleases(segments[1], folder: segments[4], request: request, principal: principal, paginator: paginator)
                }
            }
            return .notFound()
        case 7:
            if segments[0] == "users", segments[2] == "collection", segments[3] == "folders", segments[5] == "releases" {
                guard request.method == "POST" else { return .methodNotAllowed(["POST"]) }
                return addToFolder(user: segments[1], folder: segments[4], release: segments[6], principal: principal)
            }
            return .notFound()
        default:
            return .notFound()
        }
    }

    func identity(_ principal: Principal) -> SandboxReply {
        guard let username = principal.username else {
            return .unauthorized("You must authenticate as a user (token or OAuth) to access this resource.")
        }
        return .json(.object([
            ("id", .int(state.users.userID(username))),
            ("username", .string(username)),
            ("resource_url", .string("\(state.baseURL)/users/\(username)")),
            ("consumer_name", "discogs-batch sandbox application"),
        ]))
    }
}
