/// SplitMix64: a small, fast, seedable generator. The catalogue and the fault draws use it so
/// that a seed fixes every byte the sandbox serves and every fault it injects.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    /// A generator for one entity: the same (seed, kind, id) always gives the same stream.
    init(seed: UInt64, kind: UInt64, id: UInt64) {
        self.state = SeededRandom.mix(SeededRandom.mix(seed ^ (kind &* 0x9E37_79B9)) ^ id)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SeededRandom.mix(state)
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1) that depends only on its three inputs.
    static func uniform(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> Double {
        let bits = mix(mix(mix(a) ^ b) ^ (c &* 0xD6E8_FEB8_6659_FD93))
        return Double(bits >> 11) / Double(UInt64(1) << 53)
    }

    /// A stable 64-bit hash of a string (FNV-1a), for seeding from text such as a search query.
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) / Double(UInt64(1) << 53) < probability
    }

    mutating func pick<T>(_ items: [T]) -> T {
        items[Int(next() % UInt64(items.count))]
    }
}
