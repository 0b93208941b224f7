/// Word lists the catalogue draws names and texts from; invented for the sandbox.
enum Vocabulary {
    static let adjectives = [
        "Amber", "Blue", "Broken", "Burning", "Crystal", "Distant", "Electric", "Empty", "Endless", "Faded",
        "Golden", "Hidden", "Hollow", "Iron", "Last", "Lonely", "Lost", "Midnight", "Neon", "Northern",
        "Painted", "Paper", "Quiet", "Restless", "Secret", "Silent", "Silver", "Slow", "Southern", "Static",
        "Strange", "Sudden", "Velvet", "Violet", "Wandering", "Wild", "Winter", "Wooden", "Young", "Zero",
    ]
    static let nouns = [
        "Anchor", "Atlas", "Avenue", "Bells", "Bridge", "Canyon", "Circle", "City", "Clouds", "Coast",
        "Comet", "Corridor", "Dance", "Desert", "Dream", "Echo", "Engine", "Field", "Fire", "Garden",
        "Harbor", "Heart", "Horizon", "Island", "Lantern", "Light", "Machine", "Mirror", "Moon", "Motel",
        "Mountain", "Ocean", "Orchard", "Parade", "Radio", "River", "Road", "Signal", "Station", "Summer",
        "Tide", "Tower", "Train", "Valley", "Voices", "Wave", "Window", "Wire",
    ]
    static let firstNames = [
        "Ada", "Ben", "Carla", "Dario", "Elin", "Femi", "Greta", "Hugo", "Ines", "Jonas", "Kaori", "Lars",
        "Mira", "Nils", "Olu", "Paz", "Quinn", "Rosa", "Sami", "Tove", "Ugo", "Vera", "Wim", "Xenia",
        "Yann", "Zora",
    ]
    static let lastNames = [
        "Abernathy", "Bergström", "Castillo", "Delacroix", "Eriksen", "Fontaine", "Gallagher", "Hartmann",
        "Ivanova", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Pellegrini",
        "Quintero", "Rasmussen", "Santos", "Tanaka", "Uribe", "Vasquez", "Whitfield", "Yilmaz", "Zielinski",
    ]
    static let labelWords = [
        "Records", "Recordings", "Music", "Sound", "Audio", "Discs", "Tapes", "Label", "Productions", "Editions",
    ]
    static let countries = [
        "US", "UK", "Germany", "France", "Japan", "Netherlands", "Italy", "Sweden", "Canada", "Brazil",
        "Australia", "Spain", "Belgium", "Norway", "Europe",
    ]
    static let genres = [
        "Electronic", "Rock", "Jazz", "Funk / Soul", "Pop", "Hip Hop", "Classical", "Folk, World, & Country",
        "Reggae", "Latin", "Blues", "Stage & Screen",
    ]
    static let styles = [
        "House", "Techno", "Ambient", "Indie Rock", "Post-Punk", "Hard Bop", "Disco", "Synth-pop", "Downtempo",
        "Dub", "Shoegaze", "Krautrock", "Soul-Jazz", "Garage Rock", "Minimal", "Deep House", "Breakbeat",
        "Psychedelic Rock", "Bossa Nova", "Modal",
    ]
    static let formats: [(name: String, descriptions: [String])] = [
        ("Vinyl", ["LP", "Album"]), ("Vinyl", ["12\"", "33 ⅓ RPM", "EP"]), ("Vinyl", ["7\"", "45 RPM", "Single"]),
        ("CD", ["Album"]), ("CD", ["Compilation"]), ("Cassette", ["Album"]), ("File", ["MP3", "Album"]),
    ]
    static let roles = [
        "Producer", "Mixed By", "Mastered By", "Written-By", "Engineer", "Bass", "Drums", "Guitar",
        "Keyboards", "Vocals", "Artwork", "Photography By", "Lacquer Cut By", "Arranged By", "Remix",
    ]
    static let identifierTypes = ["Barcode", "Matrix / Runout", "Rights Society", "Label Code", "Mastering SID Code"]
    static let conditions = [
        "Mint (M)", "Near Mint (NM or M-)", "Very Good Plus (VG+)", "Very Good (VG)", "Good Plus (G+)", "Good (G)",
    ]
    static let sentences = [
        "Recorded live to tape over three nights.",
        "Pressed on heavyweight vinyl with a printed inner sleeve.",
        "Includes a fold-out poster and download card.",
        "Limited to 500 copies, hand-numbered on the back cover.",
        "All tracks remastered from the original reels.",
        "Released in a gatefold sleeve with liner notes by the band.",
        "Track B2 does not appear on the CD edition.",
        "Catalogue number printed on the spine and the labels.",
        "Made in the EU. Distributed by an independent network.",
        "Some copies came with a misprinted label on side B.",
    ]

    static func words(_ rng: inout SeededRandom, _ count: ClosedRange<Int>) -> String {
        let total = rng.int(count)
        var parts: [String] = []
        for index in 0..<total {
            parts.append(index % 2 == 0 ? rng.pick(adjectives) : rng.pick(nouns))
        }
        return parts.joined(separator: " ")
    }

    static func personName(_ rng: inout SeededRandom) -> String {
        "\(rng.pick(firstNames)) \(rng.pick(lastNames))"
    }
}
