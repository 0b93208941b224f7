/// Finds things in JSON text without decoding it: validates, locates a value by a path of object keys,
/// and splits an array into its elements, all as byte ranges. Bodies are embedded into records as the
/// bytes received, so nothing is decoded and re-encoded.
public struct JSONScanner {
    public let bytes: [UInt8]
    static let maxDepth = 512

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The range of the whole document when it is one valid JSON value (surrounding whitespace allowed).
    /// It checks every response body, so it has a loop of its own (`validate`, in JSONScanner+Document).
    public func document() -> Range<Int>? {
        bytes.withUnsafeBufferPointer { Self.validate($0) }
    }

    /// The range of the value at `path` (object keys, outermost first) inside `range`.
    public func value(at path: [Substring], in range: Range<Int>) -> Range<Int>? {
        walk { scan in
            var current = range
            for key in path {
                guard let found = scan.member(key, in: current) else { return nil }
                current = found
            }
            return current
        }
    }

    /// The element ranges of the array at `range` (a range of a valid document); nil when it is not an array.
    public func elements(ofArrayAt range: Range<Int>) -> [Range<Int>]? {
        walk { scan in
            guard range.lowerBound < bytes.count, bytes[range.lowerBound] == UInt8(ascii: "[") else { return nil }
            var result: [Range<Int>] = []
            var i = scan.skipSpace(range.lowerBound + 1)
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { return result }
            while i < range.upperBound {
                guard let end = scan.skipValue(i, depth: 1) else { return nil }
                result.append(i..<end)
                i = scan.skipSpace(end)
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { return result }
                i = scan.skipSpace(i + 1)
            }
            return nil
        }
    }

    /// A non-negative integer value at `range`, such as `pagination.pages`.
    public func integer(at range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for byte in bytes[range] {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// Runs `body` over the bytes without bounds-checked, reference-counted array access.
    func walk<T>(_ body: (Walker) -> T) -> T {
        bytes.withUnsafeBufferPointer { body(Walker(bytes: $0)) }
    }

    /// The scanning itself, over a buffer pointer valid for one `walk`.
    struct Walker {
        let bytes: UnsafeBufferPointer<UInt8>

        func document() -> Range<Int>? {
            let start = skipSpace(0)
            guard let end = skipValue(start, depth: 0), skipSpace(end) == bytes.count else { return nil }
            return start..<end
        }

        func member(_ key: Substring, in range: Range<Int>) -> Range<Int>? {
            guard range.lowerBound < bytes.count, bytes[range.lowerBound] == UInt8(ascii: "{") else { return nil }
            var i = skipSpace(range.lowerBound + 1)
            while i < range.upperBound, bytes[i] == UInt8(ascii: "\"") {
                guard let keyEnd = skipString(i) else { return nil }
                let matches = keyMatches(key, i + 1..<keyEnd - 1)
                i = skipSpace(keyEnd)
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                let valueStart = skipSpace(i + 1)
                guard let valueEnd = skipValue(valueStart, depth: 1) else { return nil }
                if matches { return valueStart..<valueEnd }
                i = skipSpace(valueEnd)
                guard i < bytes.count, bytes[i] == UInt8(ascii: ",") else { return nil }
                i = skipSpace(i + 1)
            }
            return nil
        }

        func keyMatches(_ key: Substring, _ range: Range<Int>) -> Bool {
            let raw = bytes[range]
            if !raw.contains(UInt8(ascii: "\\")) { return raw.elementsEqual(key.utf8) }
            // Escaped key: decode this one key (rare in API bodies).
            return (try? JSONDecoderLite.string(Array(bytes[range.lowerBound - 1..<range.upperBound + 1]))) == String(key)
        }

        func skipSpace(_ start: Int) -> Int {
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return i
                }
            }
            return i
        }

        /// The index after the value starting at `start`, or nil when it is not valid JSON.
        func skipValue(_ start: Int, depth: Int) -> Int? {
            guard start < bytes.count, depth < JSONScanner.maxDepth else { return nil }
            switch bytes[start] {
            case UInt8(ascii: "\""): return skipString(start)
            case UInt8(ascii: "{"):
                var i = skipSpace(start + 1)
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "}") { return i + 1 }
                while true {
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let keyEnd = skipString(i) else { return nil }
                    i = skipSpace(keyEnd)
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                    guard let end = skipElement(skipSpace(i + 1), depth: depth + 1) else { return nil }
                    i = skipSpace(end)
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: "}") { return i + 1 }
                    guard bytes[i] == UInt8(ascii: ",") else { return nil }
                    i = skipSpace(i + 1)
                }
            case UInt8(ascii: "["):
                var i = skipSpace(start + 1)
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "]") { return i + 1 }
                while true {
                    guard let end = skipElement(i, depth: depth + 1) else { return nil }
                    i = skipSpace(end)
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: "]") { return i + 1 }
                    guard bytes[i] == UInt8(ascii: ",") else { return nil }
                    i = skipSpace(i + 1)
                }
            case UInt8(ascii: "t"): return literal("true", start)
            case UInt8(ascii: "f"): return literal("false", start)
            case UInt8(ascii: "n"): return literal("null", start)
            default: return skipNumber(start)
            }
        }

        /// `skipValue` for a member or element, a string (the most common) skipped without that call.
        @inline(__always) func skipElement(_ start: Int, depth: Int) -> Int? {
            if start < bytes.count, depth < JSONScanner.maxDepth, bytes[start] == UInt8(ascii: "\"") { return skipString(start) }
            return skipValue(start, depth: depth)
        }

        func literal(_ word: StaticString, _ start: Int) -> Int? {
            let count = word.utf8CodeUnitCount
            guard start + count <= bytes.count else { return nil }
            for k in 0..<count where bytes[start + k] != word.utf8Start[k] { return nil }
            return start + count
        }

        func skipString(_ start: Int) -> Int? {
            var i = start + 1
            while i < bytes.count {
                // Eight bytes at a time, straight to the first that needs a look: a quote, backslash,
                // control or non-ASCII byte.
                while i + 8 <= bytes.count {
                    let word = UnsafeRawPointer(bytes.baseAddress.unsafelyUnwrapped + i).loadUnaligned(as: UInt64.self)
                    let flags = Self.needingALook(UInt64(littleEndian: word))
                    if flags == 0 {
                        i += 8
                    } else {
                        i += flags.trailingZeroBitCount >> 3
                        break
                    }
                }
                guard i < bytes.count else { return nil }
                let byte = bytes[i]
                if byte == UInt8(ascii: "\"") {
                    return i + 1
                } else if byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") {
                    i += 1
                } else if byte >= 0x80 {
                    guard let length = Self.utf8Length(bytes, at: i) else { return nil }
                    i += length
                } else if byte == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    switch bytes[i + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        i += 2
                    case UInt8(ascii: "u"):
                        guard i + 5 < bytes.count, bytes[i + 2...i + 5].allSatisfy(Self.isHex) else { return nil }
                        i += 6
                    default: return nil
                    }
                } else {
                    return nil  // a control character, or a backslash at the end
                }
            }
            return nil
        }

        /// The length of the well-formed UTF-8 sequence that starts with the non-ASCII byte at `i`
        /// (Unicode Table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF), or nil. Only
        /// strings can hold such bytes in JSON, so checking them here makes `document()` a UTF-8 check too.
        static func utf8Length(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
            let length: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF
            switch bytes[i] {
            case 0xC2...0xDF: length = 2
            case 0xE0: (length, second) = (3, 0xA0...0xBF)
            case 0xED: (length, second) = (3, 0x80...0x9F)
            case 0xE1...0xEF: length = 3
            case 0xF0: (length, second) = (4, 0x90...0xBF)
            case 0xF1...0xF3: length = 4
            case 0xF4: (length, second) = (4, 0x80...0x8F)
            default: return nil
            }
            guard i + length <= bytes.count, second.contains(bytes[i + 1]) else { return nil }
            for j in i + 2..<i + length where !(0x80...0xBF).contains(bytes[j]) { return nil }
            return length
        }

        /// The high bit of each of the eight bytes (the first in the lowest bits) that is `"`, `\\`, below
        /// 0x20 or above 0x7F. Bitwise: each test sets a byte's high bit where the byte matches. A borrow
        /// can also flag bytes above a match, never below one, so the lowest flag is always exact: zero
        /// when no byte needs a look, else its trailing zero bits / 8 is the first byte that does.
        static func needingALook(_ word: UInt64) -> UInt64 {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            func zeroByte(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
            let below0x20 = (word &- ones &* 0x20) & ~word & highs
            return (word & highs) | zeroByte(word ^ (ones &* 0x22)) | zeroByte(word ^ (ones &* 0x5C)) | below0x20
        }

        static func isHex(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
        }

        func skipNumber(_ start: Int) -> Int? {
            var i = start
            func digits() -> Int {
                let from = i
                while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
                return i - from
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "0") {
                i += 1
            } else if digits() == 0 {
                return nil
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digits() > 0 else { return nil }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { return nil }
            }
            return i
        }
    }
}

/// Decodes one JSON string literal (for the rare escaped object key).
enum JSONDecoderLite {
    struct Invalid: Error {}

    static func string(_ literal: [UInt8]) throws -> String {
        var scalars = String.UnicodeScalarView()
        var bytes: [UInt8] = []
        var i = 1
        func flush() {
            scalars.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
            bytes.removeAll()
        }
        while i < literal.count - 1 {
            let b = literal[i]
            guard b == UInt8(ascii: "\\") else {
                bytes.append(b)
                i += 1
                continue
            }
            flush()
            let e = literal[i + 1]
            switch e {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{8}")
            case UInt8(ascii: "f"): scalars.append("\u{C}")
            case UInt8(ascii: "u"):
                guard let code = UInt32(String(decoding: literal[i + 2...i + 5], as: UTF8.self), radix: 16) else {
                    throw Invalid()
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                i += 4
            default: scalars.append(Unicode.Scalar(e))
            }
            i += 2
        }
        flush()
        return String(scalars)
    }
}
