/// The parts of a release that summaries (wantlist, collection, search, versions) and the full
/// release share, drawn first from the release's own random stream so both always agree.
struct ReleaseCore: Sendable {
    let id: Int
    let title: String
    let year: Int
    let country: String
    let artistIDs: [Int]
    let labelID: Int
    let catno: String
    let masterID: Int?
    let format: (name: String, descriptions: [String])
    let genres: [String]
    let styles: [String]
    let imageCount: Int
    let have: Int
    let want: Int

    init(catalogue: Catalogue, id: Int) {
        var rng = catalogue.rng(.release, id)
        self.id = id
        self.title = Vocabulary.words(&rng, 1...4)
        self.year = rng.int(1955...2025)
        self.country = rng.pick(Vocabulary.countries)
        self.artistIDs = (0..<rng.int(1...2)).map { _ in rng.int(Catalogue.artistIDs) }
        self.labelID = rng.int(Catalogue.labelIDs)
        self.catno = "\(rng.pick(Vocabulary.nouns).prefix(3).uppercased())-\(rng.int(1...999))"
        self.masterID = rng.chance(0.7) ? rng.int(Catalogue.masterIDs) : nil
        self.format = rng.pick(Vocabulary.formats)
        self.genres = [rng.pick(Vocabulary.genres)]
        self.styles = Array(Set((0..<rng.int(1...3)).map { _ in rng.pick(Vocabulary.styles) })).sorted()
        self.imageCount = rng.int(2...7)
        self.have = rng.int(0...9000)
        self.want = rng.int(0...5000)
    }
}
