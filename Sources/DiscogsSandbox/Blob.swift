/// A large JSON document of a chosen size, for benchmarks of big responses
/// (`GET /_sandbox/blob/{id}?bytes=N`): `{"id":ID,"bytes":N,"items":[{"n":0,"text":"..."},...],"pad":"xx"}`,
/// exactly N bytes long (or the smallest such document when N is less than that), a pure function of
/// (seed, id, N).
enum Blob {
    /// The largest size served: 16 MiB.
    static let maxBytes = 16 << 20
    /// The size when `bytes` is not given: 1 MiB.
    static let defaultBytes = 1 << 20
    static let textLength = 48

    static func json(seed: UInt64, id: UInt64, bytes target: Int) -> [UInt8] {
        let head = Array(#"{"id":\#(id),"bytes":\#(target),"items":["#.utf8)
        let padOpen = Array(#"],"pad":""#.utf8)
        let close = Array(#""}"#.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(max(target, head.count + padOpen.count + close.count))
        out += head
        // One item is `{"n":K,"text":"<48 letters>"}`, preceded by a comma after the first.
        var rng = SeededRandom(seed: seed, kind: 0xB10B, id: id)
        var n = 0
        while true {
            let number = Array(String(n).utf8)
            let itemLength = (n > 0 ? 1 : 0) + 5 + number.count + 9 + textLength + 2
            guard out.count + itemLength + padOpen.count + close.count <= target else { break }
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"n":"#.utf8
            out += number
            out += #","text":""#.utf8
            var bits: UInt64 = 0
            for index in 0..<textLength {
                if index % 12 == 0 { bits = rng.next() }
                out.append(UInt8(ascii: "a") + UInt8(bits % 26))
                bits /= 26
            }
            out += #""}"#.utf8
            n += 1
        }
        out += padOpen
        let padding = target - out.count - close.count
        if padding > 0 { out += repeatElement(UInt8(ascii: "x"), count: padding) }
        out += close
        return out
    }
}
