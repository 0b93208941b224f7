// Micro-benchmark: the plan --json hot spots as written in Sources (copied) vs. the proposed byte-level versions.
import Foundation

enum Old {
    static func appendString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
    static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    static func encode(_ text: String, allowing allowed: Set<UInt8>) -> String {
        if text.utf8.allSatisfy(allowed.contains) { return text }
        return text
    }
}

enum New {
    /// Escapes by UTF-8 bytes; clean runs are appended in bulk.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(0x22)
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                var escape: [UInt8]? = nil
                switch b {
                case 0x22: escape = [0x5C, 0x22]
                case 0x5C: escape = [0x5C, 0x5C]
                case 0x0A: escape = [0x5C, 0x6E]
                case 0x0D: escape = [0x5C, 0x72]
                case 0x09: escape = [0x5C, 0x74]
                case 0..<0x20: escape = Array(String(format: "\\u%04x", b).utf8)
                case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                    out.append(contentsOf: Array((bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8))
                    i += 3
                    runStart = i
                    continue
                default: break
                }
                if let escape {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                    out.append(contentsOf: escape)
                    runStart = i + 1
                }
                i += 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        out.append(0x22)
    }
    struct ByteSet {
        var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        init(_ s: String) { for b in s.utf8 { insert(b) } }
        mutating func insert(_ b: UInt8) {
            let m = UInt64(1) << UInt64(b & 63)
            switch b >> 6 { case 0: bits.0 |= m; case 1: bits.1 |= m; case 2: bits.2 |= m; default: bits.3 |= m }
        }
        @inline(__always) func contains(_ b: UInt8) -> Bool {
            let m = UInt64(1) << UInt64(b & 63)
            switch b >> 6 { case 0: return bits.0 & m != 0; case 1: return bits.1 & m != 0; case 2: return bits.2 & m != 0; default: return bits.3 & m != 0 }
        }
    }
    static let unreserved = ByteSet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    static func encode(_ text: String, allowing allowed: ByteSet) -> String {
        var t = text
        if t.withUTF8({ $0.allSatisfy(allowed.contains) }) { return text }
        return text
    }
}

let n = 1_000_000
func time(_ label: String, _ body: () -> Int) {
    let t = Date()
    let check = body()
    print(label, String(format: "%.3f s per 1M", Date().timeIntervalSince(t) * 1_000_000 / Double(n)), check)
}
// the five strings PlanFormatter.json escapes per request of Benchmarks/work/million.yaml
func strings(_ i: Int) -> [String] {
    ["release/release_id=\(i)", "release", "https://api.discogs.com/releases/\(i)?curr_abbr=EUR", "release_id", "\(i)"]
}
let inputs = (0..<1000).map(strings)
time("old JSONText.appendString x5 (String, per scalar)") {
    var total = 0
    for i in 0..<n { var out = ""; for s in inputs[i % 1000] { Old.appendString(s, to: &out) }; total &+= out.utf8.count }
    return total
}
time("new appendString x5 ([UInt8], bulk runs)          ") {
    var total = 0
    var out: [UInt8] = []; out.reserveCapacity(256)
    for i in 0..<n { out.removeAll(keepingCapacity: true); for s in inputs[i % 1000] { New.appendString(s, to: &out) }; total &+= out.count }
    return total
}
time("old PercentEncoding check x4 (Set<UInt8>)        ") {
    var total = 0
    for i in 0..<n { for s in inputs[i % 1000].prefix(4) { total &+= Old.encode(s, allowing: Old.unreserved).utf8.count } }
    return total
}
time("new check x4 (256-bit table)                     ") {
    var total = 0
    for i in 0..<n { for s in inputs[i % 1000].prefix(4) { total &+= New.encode(s, allowing: New.unreserved).utf8.count } }
    return total
}
