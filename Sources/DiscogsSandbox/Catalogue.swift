/// The generated Discogs catalogue. Every entity is a pure function of (seed, kind, id), built
/// on demand: nothing is precomputed, so a million release ids cost nothing until asked for.
///
/// Id ranges: releases 1...1_000_000, masters 1...200_000, artists 1...500_000,
/// labels 1...100_000, marketplace listings 1...5_000_000. Release ids divisible by 1000 are
/// large (several hundred tracks with credits, 100 KB or more).
struct Catalogue: Sendable {
    static let releaseIDs = 1...1_000_000
    static let masterIDs = 1...200_000
    static let artistIDs = 1...500_000
    static let labelIDs = 1...100_000
    static let listingIDs = 1...5_000_000

    enum Kind: UInt64 {
        case release = 1, master, artist, label, listing, search, releaseDetail, versions, artistReleases,
            labelReleases, user
    }

    let seed: UInt64
    let baseURL: String

    func rng(_ kind: Kind, _ id: Int) -> SeededRandom {
        SeededRandom(seed: seed, kind: kind.rawValue, id: UInt64(truncatingIfNeeded: id))
    }

    // MARK: shared pieces

    func artistName(_ id: Int) -> String {
        var rng = rng(.artist, id)
        switch rng.int(0...3) {
        case 0: return Vocabulary.personName(&rng)
        case 1: return "The " + Catalogue.plural(Vocabulary.words(&rng, 2...2))
        case 2: return Vocabulary.words(&rng, 1...2)
        default: return "\(Vocabulary.personName(&rng)) & The \(Catalogue.plural(rng.pick(Vocabulary.nouns)))"
        }
    }

    func labelName(_ id: Int) -> String {
        var rng = rng(.label, id)
        return "\(rng.pick(Vocabulary.nouns)) \(rng.pick(Vocabulary.labelWords))"
    }

    func image(_ kind: String, _ id: Int, _ index: Int, authenticated: Bool, size: Int = 600) -> JSONValue {
        let letter = kind.prefix(1).uppercased()
        let uri = authenticated ? "\(baseURL)/images/\(letter)-\(id)-\(index).jpeg" : ""
        let small = authenticated ? "\(baseURL)/images/\(letter)-150-\(id)-\(index).jpeg" : ""
        return .object([
            ("type", index == 0 ? "primary" : "secondary"),
            ("uri", .string(uri)),
            ("resource_url", .string(uri)),
            ("uri150", .string(small)),
            ("width", .int(size)),
            ("height", .int(size)),
        ])
    }

    func thumb(_ kind: String, _ id: Int, authenticated: Bool) -> String {
        authenticated ? "\(baseURL)/images/\(kind.prefix(1).uppercased())-150-\(id)-0.jpeg" : ""
    }

    func artistRef(_ id: Int, role: String = "", tracks: String = "", join: String = "") -> JSONValue {
        .object([
            ("name", .string(artistName(id))),
            ("anv", ""),
            ("join", .string(join)),
            ("role", .string(role)),
            ("tracks", .string(tracks)),
            ("id", .int(id)),
            ("resource_url", .string("\(baseURL)/artists/\(id)")),
        ])
    }

    func labelRef(_ id: Int, catno: String) -> JSONValue {
        .object([
            ("name", .string(labelName(id))),
            ("catno", .string(catno)),
            ("entity_type", "1"),
            ("entity_type_name", "Label"),
            ("id", .int(id)),
            ("resource_url", .string("\(baseURL)/labels/\(id)")),
        ])
    }

    static func plural(_ word: String) -> String {
        word.hasSuffix("s") ? word : word + "s"
    }

    static func date(_ rng: inout SeededRandom, from year: Int = 2004) -> String {
        let y = rng.int(year...2025)
        let m = rng.int(1...12)
        let d = rng.int(1...28)
        let h = rng.int(0...23)
        let mi = rng.int(0...59)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(h)):\(two(mi)):\(two(rng.int(0...59)))-07:00"
    }
}
