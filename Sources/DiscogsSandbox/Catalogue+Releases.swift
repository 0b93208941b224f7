extension Catalogue {
    /// A full release body, nil when the id is out of range.
    func release(id: Int, authenticated: Bool) -> JSONValue? {
        guard Catalogue.releaseIDs.contains(id) else { return nil }
        let core = ReleaseCore(catalogue: self, id: id)
        var rng = rng(.releaseDetail, id)
        let large = id % 1000 == 0
        let trackCount = large ? rng.int(250...400) : rng.int(4...16)
        let creditsPerTrack = large ? 3 : 0

        var tracklist: [JSONValue] = []
        tracklist.reserveCapacity(trackCount)
        let side = ["A", "B", "C", "D"]
        for index in 0..<trackCount {
            let position = core.format.name == "Vinyl" ? "\(side[min(3, index * 4 / max(trackCount, 1))])\(index % 6 + 1)" : "\(index + 1)"
            var track: [(String, JSONValue)] = [
                ("position", .string(position)),
                ("type_", "track"),
                ("title", .string(Vocabulary.words(&rng, 1...4))),
                ("duration", .string("\(rng.int(1...9)):\(String(format2: rng.int(0...59)))")),
            ]
            let credits = creditsPerTrack + (rng.chance(0.25) ? 1 : 0)
            if credits > 0 {
                track.append(("extraartists", .array((0..<credits).map { _ in
                    artistRef(rng.int(Catalogue.artistIDs), role: rng.pick(Vocabulary.roles))
                })))
            }
            tracklist.append(.object(track))
        }
        let extraartists: [JSONValue] = (0..<rng.int(3...9)).map { _ in
            artistRef(rng.int(Catalogue.artistIDs), role: rng.pick(Vocabulary.roles),
                tracks: rng.chance(0.3) ? "A1 to B\(rng.int(1...6))" : "")
        }
        let identifiers: [JSONValue] = (0..<rng.int(1...5)).map { index in
            let type = index == 0 ? "Barcode" : rng.pick(Vocabulary.identifierTypes)
            return .object([
                ("type", .string(type)),
                ("value", .string(type == "Barcode" ? String(rng.int(100_000_000_000...999_999_999_999)) : "\(core.catno)-\(rng.pick(["A", "B"]))\(rng.int(1...3)) \(rng.pick(Vocabulary.nouns).uppercased())")),
                ("description", .string(index == 0 ? "Printed" : rng.pick(["Side A", "Side B", "Variant 1", ""]))),
            ])
        }
        let videos: [JSONValue] = (0..<rng.int(0...3)).map { index in
            .object([
                ("uri", .string("https://www.youtube.com/watch?v=sandbox\(id)x\(index)")),
                ("title", .string(Vocabulary.words(&rng, 2...4))),
                ("description", .string(Vocabulary.words(&rng, 3...8))),
                ("duration", .int(rng.int(90...600))),
                ("embed", true),
            ])
        }
        var notes = (0..<rng.int(1...4)).map { _ in rng.pick(Vocabulary.sentences) }.joined(separator: "\n")
        if large {
            notes += "\n" + (0..<300).map { _ in rng.pick(Vocabulary.sentences) }.joined(separator: " ")
        }
        let companies: [JSONValue] = (0..<rng.int(1...4)).map { _ in
            let labelID = rng.int(Catalogue.labelIDs)
            return .object([
                ("name", .string(labelName(labelID))),
                ("catno", ""),
                ("entity_type", .string(String(rng.int(4...30)))),
                ("entity_type_name", .string(rng.pick(["Pressed By", "Recorded At", "Mastered At", "Distributed By", "Printed By"]))),
                ("id", .int(labelID)),
                ("resource_url", .string("\(baseURL)/labels/\(labelID)")),
            ])
        }
        let ratingCount = rng.int(0...400)
        let lowest = rng.int(100...9000)
        let released = "\(core.year)-\(String(format2: rng.int(1...12)))-\(String(format2: rng.int(1...28)))"

        var fields: [(String, JSONValue)] = [
            ("id", .int(id)),
            ("status", "Accepted"),
            ("year", .int(core.year)),
            ("resource_url", .string("\(baseURL)/releases/\(id)")),
            ("uri", .string("\(baseURL)/release/\(id)")),
            ("artists", .array(core.artistIDs.enumerated().map { index, artist in
                artistRef(artist, join: index + 1 < core.artistIDs.count ? "&" : "")
            })),
            ("artists_sort", .string(core.artistIDs.map(artistName).joined(separator: " & "))),
            ("labels", .array([labelRef(core.labelID, catno: core.catno)])),
            ("series", []),
            ("companies", .array(companies)),
            ("formats", [.object([
                ("name", .string(core.format.name)),
                ("qty", .string(String(core.format.name == "Vinyl" && trackCount > 12 ? 2 : 1))),
                ("descriptions", .array(core.format.descriptions.map { .string($0) })),
            ])]),
            ("data_quality", .string(rng.pick(["Correct", "Needs Vote", "Complete and Correct"]))),
            ("community", .object([
                ("have", .int(core.have)),
                ("want", .int(core.want)),
                ("rating", .object([("count", .int(ratingCount)), ("average", .decimal(Double(rng.int(250...500)) / 100))])),
                ("submitter", .object([("username", .string("contributor_\(rng.int(1...999))")), ("resource_url", .string("\(baseURL)/users/contributor"))])),
                ("contributors", .array((1...(id % 4 + 1)).map { index in
                    let name = "contributor_\((id &* 31 &+ index &* 97) % 999 + 1)"
                    return .object([("username", .string(name)), ("resource_url", .string("\(baseURL)/users/\(name)"))])
                })),
                ("data_quality", "Correct"),
                ("status", "Accepted"),
            ])),
            ("format_quantity", .int(1)),
            ("date_added", .string(Catalogue.date(&rng))),
            ("date_changed", .string(Catalogue.date(&rng))),
            ("num_for_sale", .int(rng.int(0...120))),
            ("lowest_price", .decimal(Double(lowest) / 100)),
        ]
        if let master = core.masterID {
            fields.append(("master_id", .int(master)))
            fields.append(("master_url", .string("\(baseURL)/masters/\(master)")))
        }
        fields += [
            ("title", .string(core.title)),
            ("country", .string(core.country)),
            ("released", .string(released)),
            ("notes", .string(notes)),
            ("released_formatted", .string(released)),
            ("identifiers", .array(identifiers)),
            ("videos", .array(videos)),
            ("genres", .array(core.genres.map { .string($0) })),
            ("styles", .array(core.styles.map { .string($0) })),
            ("tracklist", .array(tracklist)),
            ("extraartists", .array(extraartists)),
            ("images", .array((0..<core.imageCount).map { image("release", id, $0, authenticated: authenticated) })),
            ("thumb", .string(thumb("release", id, authenticated: authenticated))),
            ("estimated_weight", .int(core.format.name == "Vinyl" ? 230 : 85)),
            ("blocked_from_sale", false),
        ]
        return .object(fields)
    }

    /// `basic_information` of a release, as wantlist and collection items carry it.
    func releaseSummary(id: Int, authenticated: Bool) -> JSONValue {
        let core = ReleaseCore(catalogue: self, id: id)
        var fields: [(String, JSONValue)] = [
            ("id", .int(id)),
            ("master_id", .int(core.masterID ?? 0)),
            ("master_url", core.masterID.map { .string("\(baseURL)/masters/\($0)") } ?? .null),
            ("resource_url", .string("\(baseURL)/releases/\(id)")),
            ("thumb", .string(thumb("release", id, authenticated: authenticated))),
            ("cover_image", .string(authenticated ? "\(baseURL)/images/R-\(id)-0.jpeg" : "")),
            ("title", .string(core.title)),
            ("year", .int(core.year)),
        ]
        var format: [(String, JSONValue)] = [
            ("name", .string(core.format.name)), ("qty", "1"),
            ("descriptions", .array(core.format.descriptions.map { .string($0) })),
        ]
        // Free text some formats carry on Discogs (a colour, a pressing note).
        if id % 6 == 0 { format.append(("text", .string(["Clear", "Gatefold", "180g", "Red"][id / 6 % 4]))) }
        fields.append(("formats", [.object(format)]))
        fields.append(("labels", .array([labelRef(core.labelID, catno: core.catno)])))
        fields.append(("artists", .array(core.artistIDs.map { artistRef($0) })))
        fields.append(("genres", .array(core.genres.map { .string($0) })))
        fields.append(("styles", .array(core.styles.map { .string($0) })))
        return .object(fields)
    }

    func releaseRating(id: Int) -> JSONValue? {
        guard Catalogue.releaseIDs.contains(id) else { return nil }
        var rng = rng(.releaseDetail, id &* 31)
        return .object([
            ("rating", .object([("count", .int(rng.int(0...400))), ("average", .decimal(Double(rng.int(250...500)) / 100))])),
            ("release_id", .int(id)),
        ])
    }

    func releaseStats(id: Int) -> JSONValue? {
        guard Catalogue.releaseIDs.contains(id) else { return nil }
        let core = ReleaseCore(catalogue: self, id: id)
        return .object([("num_have", .int(core.have)), ("num_want", .int(core.want))])
    }
}

extension String {
    /// Two digits, zero-padded.
    init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
