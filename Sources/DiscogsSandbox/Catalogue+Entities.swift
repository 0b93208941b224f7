extension Catalogue {
    // MARK: masters

    func master(id: Int, authenticated: Bool) -> JSONValue? {
        guard Catalogue.masterIDs.contains(id) else { return nil }
        var rng = rng(.master, id)
        let mainRelease = mainReleaseID(master: id)
        let core = ReleaseCore(catalogue: self, id: mainRelease)
        let tracks: [JSONValue] = (0..<rng.int(4...14)).map { index in
            .object([
                ("position", .string(String(index + 1))), ("type_", "track"),
                ("title", .string(Vocabulary.words(&rng, 1...4))),
                ("duration", .string("\(rng.int(2...8)):\(String(format2: rng.int(0...59)))")),
            ])
        }
        return .object([
            ("id", .int(id)),
            ("main_release", .int(mainRelease)),
            ("most_recent_release", .int(versionReleaseID(master: id, index: 0))),
            ("resource_url", .string("\(baseURL)/masters/\(id)")),
            ("uri", .string("\(baseURL)/master/\(id)")),
            ("versions_url", .string("\(baseURL)/masters/\(id)/versions")),
            ("main_release_url", .string("\(baseURL)/releases/\(mainRelease)")),
            ("most_recent_release_url", .string("\(baseURL)/releases/\(versionReleaseID(master: id, index: 0))")),
            ("num_for_sale", .int(rng.int(0...300))),
            ("lowest_price", .decimal(Double(rng.int(100...5000)) / 100)),
            ("images", .array((0..<rng.int(1...4)).map { image("master", id, $0, authenticated: authenticated) })),
            ("genres", .array(core.genres.map { .string($0) })),
            ("styles", .array(core.styles.map { .string($0) })),
            ("year", .int(core.year)),
            ("tracklist", .array(tracks)),
            ("artists", .array(core.artistIDs.map { artistRef($0) })),
            ("title", .string(core.title)),
            ("data_quality", "Correct"),
            ("videos", []),
        ])
    }

    func mainReleaseID(master: Int) -> Int {
        versionReleaseID(master: master, index: 0)
    }

    func versionReleaseID(master: Int, index: Int) -> Int {
        var rng = rng(.versions, master &* 4096 &+ index)
        return rng.int(Catalogue.releaseIDs)
    }

    func masterVersions(id: Int, authenticated: Bool) -> GeneratedList? {
        guard Catalogue.masterIDs.contains(id) else { return nil }
        var rng = rng(.master, id &* 7919)
        let count = id % 100 == 0 ? rng.int(150...400) : rng.int(1...60)
        return GeneratedList(key: "versions", count: count) { index in
            let releaseID = versionReleaseID(master: id, index: index)
            let core = ReleaseCore(catalogue: self, id: releaseID)
            return .object([
                ("id", .int(releaseID)),
                ("label", .string(labelName(core.labelID))),
                ("country", .string(core.country)),
                ("title", .string(core.title)),
                ("major_formats", .array([.string(core.format.name)])),
                ("format", .string(core.format.descriptions.joined(separator: ", "))),
                ("catno", .string(core.catno)),
                ("released", .string(String(core.year))),
                ("status", "Accepted"),
                ("resource_url", .string("\(baseURL)/releases/\(releaseID)")),
                ("thumb", .string(thumb("release", releaseID, authenticated: authenticated))),
                ("stats", .object([("community", .object([("in_wantlist", .int(core.want)), ("in_collection", .int(core.have))]))])),
            ])
        }
    }

    // MARK: artists

    func artist(id: Int, authenticated: Bool) -> JSONValue? {
        guard Catalogue.artistIDs.contains(id) else { return nil }
        var rng = rng(.artist, id &* 131)
        let name = artistName(id)
        return .object([
            ("id", .int(id)),
            ("name", .string(name)),
            ("resource_url", .string("\(baseURL)/artists/\(id)")),
            ("uri", .string("\(baseURL)/artist/\(id)")),
            ("releases_url", .string("\(baseURL)/artists/\(id)/releases")),
            ("images", .array((0..<rng.int(0...3)).map { image("artist", id, $0, authenticated: authenticated) })),
            ("realname", .string(Vocabulary.personName(&rng))),
            ("profile", .string((0..<rng.int(1...3)).map { _ in rng.pick(Vocabulary.sentences) }.joined(separator: " "))),
            ("urls", .array((0..<rng.int(0...2)).map { .string("https://example.org/\(id)/\($0)") })),
            ("namevariations", .array((0..<rng.int(0...2)).map { _ in .string(name.uppercased()) })),
            ("data_quality", "Needs Vote"),
        ])
    }

    func artistReleases(id: Int, authenticated: Bool) -> GeneratedList? {
        guard Catalogue.artistIDs.contains(id) else { return nil }
        var rng = rng(.artistReleases, id)
        let count = id % 100 == 0 ? rng.int(300...600) : rng.int(0...80)
        let name = artistName(id)
        return GeneratedList(key: "releases", count: count) { index in
            var itemRNG = self.rng(.artistReleases, id &* 1000 &+ index)
            let isMaster = itemRNG.chance(0.3)
            let entityID = isMaster ? itemRNG.int(Catalogue.masterIDs) : itemRNG.int(Catalogue.releaseIDs)
            var fields: [(String, JSONValue)] = [
                ("id", .int(entityID)),
                ("type", isMaster ? "master" : "release"),
            ]
            if isMaster { fields.append(("main_release", .int(mainReleaseID(master: entityID)))) }
            fields += [
                ("artist", .string(name)),
                ("role", .string(itemRNG.chance(0.85) ? "Main" : "Appearance")),
                ("resource_url", .string("\(baseURL)/\(isMaster ? "masters" : "releases")/\(entityID)")),
                ("title", .string(Vocabulary.words(&itemRNG, 1...4))),
                ("year", .int(itemRNG.int(1960...2025))),
                ("thumb", .string(thumb(isMaster ? "master" : "release", entityID, authenticated: authenticated))),
            ]
            if !isMaster {
                fields.append(("status", "Accepted"))
                fields.append(("format", .string(itemRNG.pick(Vocabulary.formats).descriptions.joined(separator: ", "))))
                fields.append(("label", .string(labelName(itemRNG.int(Catalogue.labelIDs)))))
            }
            fields.append(("stats", .object([("community", .object([("in_wantlist", .int(itemRNG.int(0...900))), ("in_collection", .int(itemRNG.int(0...2000)))]))])))
            return .object(fields)
        }
    }

    // MARK: labels

    func label(id: Int, authenticated: Bool) -> JSONValue? {
        guard Catalogue.labelIDs.contains(id) else { return nil }
        var rng = rng(.label, id &* 137)
        let sublabels: [JSONValue] = (0..<rng.int(0...3)).map { _ in
            let sub = rng.int(Catalogue.labelIDs)
            return .object([("resource_url", .string("\(baseURL)/labels/\(sub)")), ("id", .int(sub)), ("name", .string(labelName(sub)))])
        }
        return .object([
            ("id", .int(id)),
            ("name", .string(labelName(id))),
            ("resource_url", .string("\(baseURL)/labels/\(id)")),
            ("uri", .string("\(baseURL)/label/\(id)")),
            ("releases_url", .string("\(baseURL)/labels/\(id)/releases")),
            ("images", .array((0..<rng.int(0...2)).map { image("label", id, $0, authenticated: authenticated) })),
            ("contact_info", .string("\(rng.int(1...300)) \(rng.pick(Vocabulary.nouns)) Street\n\(rng.pick(Vocabulary.countries))")),
            ("profile", .string((0..<rng.int(1...3)).map { _ in rng.pick(Vocabulary.sentences) }.joined(separator: " "))),
            ("data_quality", "Needs Vote"),
            ("sublabels", .array(sublabels)),
            ("urls", .array([.string("https://example.org/labels/\(id)")])),
        ])
    }

    func labelReleases(id: Int, authenticated: Bool) -> GeneratedList? {
        guard Catalogue.labelIDs.contains(id) else { return nil }
        var rng = rng(.labelReleases, id)
        let count = id % 100 == 0 ? rng.int(300...800) : rng.int(0...120)
        return GeneratedList(key: "releases", count: count) { index in
            var itemRNG = self.rng(.labelReleases, id &* 1000 &+ index)
            let releaseID = itemRNG.int(Catalogue.releaseIDs)
            let core = ReleaseCore(catalogue: self, id: releaseID)
            return .object([
                ("status", "Accepted"),
                ("format", .string(core.format.descriptions.joined(separator: ", "))),
                ("catno", .string(core.catno)),
                ("thumb", .string(thumb("release", releaseID, authenticated: authenticated))),
                ("resource_url", .string("\(baseURL)/releases/\(releaseID)")),
                ("title", .string(core.title)),
                ("id", .int(releaseID)),
                ("year", .int(core.year)),
                ("artist", .string(core.artistIDs.map(artistName).joined(separator: " & "))),
                ("stats", .object([("community", .object([("in_wantlist", .int(core.want)), ("in_collection", .int(core.have))]))])),
            ])
        }
    }

    // MARK: search

    /// `/database/search`: the result count and items depend only on the search parameters.
    func search(parameters: [(String, String)], authenticated: Bool) -> GeneratedList {
        let ignored: Set<String> = ["page", "per_page", "token", "key", "secret"]
        let relevant = parameters.filter { !ignored.contains($0.0) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        let fingerprint = SeededRandom.hash(relevant.map { "\($0.0)=\($0.1)" }.joined(separator: "&"))
        var rng = SeededRandom(seed: seed, kind: Kind.search.rawValue, id: fingerprint)
        let type = parameters.first { $0.0 == "type" }?.1.lowercased()
        let count = relevant.isEmpty ? 250_000 : rng.int(0...900)  // unfiltered: the whole database, past the 10,000 served
        return GeneratedList(key: "results", count: count) { index in
            var itemRNG = SeededRandom(seed: seed, kind: Kind.search.rawValue, id: fingerprint &+ UInt64(index) &* 0x1_0000_0001)
            let kinds = ["release", "master", "artist", "label"]
            let kind = (type.flatMap { kinds.contains($0) ? $0 : nil }) ?? (itemRNG.chance(0.7) ? "release" : itemRNG.pick(kinds))
            let plural = kind + "s"
            switch kind {
            case "artist", "label":
                let entity = itemRNG.int(kind == "artist" ? Catalogue.artistIDs : Catalogue.labelIDs)
                return .object([
                    ("id", .int(entity)), ("type", .string(kind)),
                    ("title", .string(kind == "artist" ? artistName(entity) : labelName(entity))),
                    ("thumb", .string(thumb(kind, entity, authenticated: authenticated))),
                    ("cover_image", .string(authenticated ? "\(baseURL)/images/\(kind.prefix(1).uppercased())-\(entity)-0.jpeg" : "")),
                    ("resource_url", .string("\(baseURL)/\(plural)/\(entity)")),
                    ("uri", .string("/\(kind)/\(entity)")),
                ])
            default:
                let entity = itemRNG.int(kind == "master" ? Catalogue.masterIDs : Catalogue.releaseIDs)
                let core = ReleaseCore(catalogue: self, id: kind == "master" ? mainReleaseID(master: entity) : entity)
                var fields: [(String, JSONValue)] = [
                    ("id", .int(entity)), ("type", .string(kind)),
                    ("title", .string("\(core.artistIDs.map(artistName).joined(separator: " & ")) - \(core.title)")),
                    ("country", .string(core.country)), ("year", .string(String(core.year))),
                    ("format", .array(([core.format.name] + core.format.descriptions).map { .string($0) })),
                    ("label", [.string(labelName(core.labelID))]),
                    ("genre", .array(core.genres.map { .string($0) })),
                    ("style", .array(core.styles.map { .string($0) })),
                    ("catno", .string(core.catno)),
                    ("barcode", []),
                    ("thumb", .string(thumb(kind, entity, authenticated: authenticated))),
                    ("cover_image", .string(authenticated ? "\(baseURL)/images/\(kind.prefix(1).uppercased())-\(entity)-0.jpeg" : "")),
                    ("resource_url", .string("\(baseURL)/\(plural)/\(entity)")),
                    ("uri", .string("/\(kind)/\(entity)")),
                    ("community", .object([("want", .int(core.want)), ("have", .int(core.have))])),
                ]
                if kind == "release", let master = core.masterID {
                    fields.append(("master_id", .int(master)))
                    fields.append(("master_url", .string("\(baseURL)/masters/\(master)")))
                }
                return .object(fields)
            }
        }
    }

    // MARK: marketplace

    /// The seller of a listing: listings alternate between the sandbox's users.
    func listingSeller(id: Int, users: [String]) -> String {
        users[id % users.count]
    }

    /// A marketplace listing, shaped as recorded from Discogs (2019): the seller's weight,
    /// format_quantity, external_id and location only when `viewer` is the seller.
    func listing(id: Int, users: [String], authenticated: Bool, viewer: String? = nil) -> JSONValue? {
        guard Catalogue.listingIDs.contains(id) else { return nil }
        var rng = rng(.listing, id)
        let releaseID = rng.int(Catalogue.releaseIDs)
        let core = ReleaseCore(catalogue: self, id: releaseID)
        let seller = listingSeller(id: id, users: users)
        let price = Double(rng.int(150...12000)) / 100
        let shipping = Double(rng.int(300...2500)) / 100
        let sellerID = users.firstIndex(of: seller).map { $0 + 1 } ?? 0
        let weight = core.format.name == "Vinyl" ? 230 : 85
        var fields: [(String, JSONValue)] = [
            ("id", .int(id)),
            ("resource_url", .string("\(baseURL)/marketplace/listings/\(id)")),
            ("uri", .string("\(baseURL)/sell/item/\(id)")),
            ("status", "For Sale"),
            ("condition", .string(rng.pick(Vocabulary.conditions))),
            ("sleeve_condition", .string(rng.pick(Vocabulary.conditions))),
            ("comments", .string(rng.chance(0.5) ? rng.pick(Vocabulary.sentences) : "")),
            ("ships_from", .string(rng.pick(Vocabulary.countries))),
            ("posted", .string(Catalogue.date(&rng, from: 2018))),
            ("allow_offers", .bool(rng.chance(0.4))),
            ("audio", false),
            ("price", .object([("currency", "USD"), ("value", .decimal(price))])),
            ("original_price", .object([("curr_abbr", "USD"), ("curr_id", 1), ("formatted", .string("$\(price)")), ("value", .decimal(price))])),
            ("shipping_price", .object([("currency", "USD"), ("value", .decimal(shipping))])),
            ("original_shipping_price", .object([("curr_abbr", "USD"), ("curr_id", 1), ("formatted", .string("$\(shipping)")), ("value", .decimal(shipping))])),
            ("in_cart", false),
            ("estimated_weight", .int(weight)),
            ("seller", .object([
                ("id", .int(sellerID)),
                ("uid", .int(sellerID)),
                ("username", .string(seller)),
                ("resource_url", .string("\(baseURL)/users/\(seller)")),
                ("url", .string("\(baseURL)/users/\(seller)")),
                ("html_url", .string("\(baseURL)/user/\(seller)")),
                ("avatar_url", .string(authenticated ? "\(baseURL)/images/U-\(sellerID).jpeg" : "")),
                ("shipping", .string(rng.pick(Vocabulary.sentences))),
                ("payment", "PayPal"),
                ("stats", .object([("rating", .string("\(rng.int(900...1000) / 10).\(rng.int(0...9))")), ("total", .int(rng.int(0...3000))), ("stars", .decimal(Double(rng.int(6...10)) / 2))])),
            ])),
            ("release", .object([
                ("id", .int(releaseID)),
                ("catalog_number", .string(core.catno)),
                ("resource_url", .string("\(baseURL)/releases/\(releaseID)")),
                ("year", .int(core.year)),
                ("description", .string("\(core.artistIDs.map(artistName).joined(separator: " & ")) - \(core.title) (\(core.format.name))")),
                ("artist", .string(core.artistIDs.map(artistName).joined(separator: " & "))),
                ("title", .string(core.title)),
                ("format", .string(core.format.name)),
                ("thumbnail", .string(thumb("release", releaseID, authenticated: authenticated))),
                ("images", .array((0..<core.imageCount).map { image("release", releaseID, $0, authenticated: authenticated) })),
                ("stats", .object([
                    ("user", .object([("in_collection", 0), ("in_wantlist", 0)])),
                    ("community", .object([("in_collection", .int(core.have)), ("in_wantlist", .int(core.want))])),
                ])),
            ])),
        ]
        if viewer == seller {
            fields += [
                ("weight", .decimal(Double(weight))), ("format_quantity", 0), ("external_id", ""), ("location", ""),
            ]
        }
        return .object(fields)
    }

    func marketplaceStats(releaseID: Int, currency: String) -> JSONValue? {
        guard Catalogue.releaseIDs.contains(releaseID) else { return nil }
        var rng = rng(.listing, releaseID &* 977)
        let forSale = rng.int(0...60)
        return .object([
            ("lowest_price", forSale == 0 ? .null : .object([("currency", .string(currency)), ("value", .decimal(Double(rng.int(100...6000)) / 100))])),
            ("num_for_sale", .int(forSale)),
            ("blocked_from_sale", false),
        ])
    }
}
