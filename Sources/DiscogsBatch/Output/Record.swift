#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One output line (SPEC §3, `schemas/record.schema.json`), encoded straight to bytes.
public struct Record: Sendable {
    public enum Payload: Sendable {
        case none
        /// A JSON response body, embedded as received.
        case json([UInt8])
        /// A body that is not JSON, embedded as a string.
        case text(String)
        /// One element of the items list: its bytes, its index and the number of items on the page.
        case item([UInt8], index: Int, count: Int)
        /// A page whose items list is empty: no item lines, so this line records that the page was done.
        case noItems
    }

    public struct RateLimit: Sendable, Hashable {
        public var limit: Int?
        public var used: Int?
        public var remaining: Int?
    }

    public var job: String
    public var request: String
    public var key: String
    public var seq: Int
    public var vars: [(name: String, value: String)]
    /// The key of the source record whose value made this request (dependent requests).
    public var from: String?
    public var method: String
    public var url: String
    public var status: Int?
    public var attempts: Int
    /// Seconds since 1970.
    public var at: Double
    public var ms: Int
    /// Written only when the answer carried at least one rate-limit header.
    public var rateLimit: RateLimit?
    public var page: Int?
    /// Written only when the server reported a page count.
    public var pages: Int?
    public var payload: Payload = .none
    public var error: RecordFailure?
    /// Served from the response cache (`"cached": true`); absent from the line otherwise.
    public var cached = false

    /// The line, newline included, written as UTF-8 bytes (no intermediate `String`).
    public func encoded() -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(512 + payloadSize)
        func raw(_ text: StaticString) {
            line.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        func string(_ text: String) { JSONText.appendString(text, to: &line) }
        func number(_ value: Int) { Self.appendDecimal(value, to: &line) }
        raw("{\"job\":")
        string(job)
        raw(",\"request\":")
        string(request)
        raw(",\"key\":")
        string(key)
        raw(",\"seq\":")
        number(seq)
        raw(",\"vars\":{")
        for (i, v) in vars.enumerated() {
            if i > 0 { raw(",") }
            string(v.name)
            raw(":")
            string(v.value)
        }
        raw("}")
        if let from {
            raw(",\"from\":")
            string(from)
        }
        raw(",\"method\":")
        string(method)
        raw(",\"url\":")
        string(url)
        raw(",\"status\":")
        if let status { number(status) } else { raw("null") }
        raw(",\"attempts\":")
        number(attempts)
        raw(",\"at\":\"")
        Self.appendTimestamp(at, to: &line)
        raw("\",\"ms\":")
        number(ms)
        if let r = rateLimit, r.limit != nil || r.used != nil || r.remaining != nil {
            raw(",\"ratelimit\":{")
            var first = true
            func field(_ name: StaticString, _ value: Int?) {
                guard let value else { return }
                if !first { raw(",") }
                first = false
                raw(name)
                number(value)
            }
            field("\"limit\":", r.limit)
            field("\"used\":", r.used)
            field("\"remaining\":", r.remaining)
            raw("}")
        }
        if cached { raw(",\"cached\":true") }
        if let page {
            raw(",\"page\":")
            number(page)
            if let pages {
                raw(",\"pages\":")
                number(pages)
            }
        }
        switch payload {
        case .none: break
        case .json(let bytes):
            raw(",\"body\":")
            line += bytes
        case .text(let text):
            raw(",\"body\":")
            string(text)
        case .item(let bytes, let index, let count):
            raw(",\"item\":")
            line += bytes
            raw(",\"item_index\":")
            number(index)
            raw(",\"item_count\":")
            number(count)
        case .noItems:
            raw(",\"item_count\":0")
        }
        if let error {
            raw(",\"error\":{\"kind\":")
            string(error.kind.rawValue)
            raw(",\"message\":")
            string(error.message)
            raw("}")
        }
        raw("}\n")
        return line
    }

    /// `value` in decimal, as `String(value)` writes it.
    static func appendDecimal(_ value: Int, to line: inout [UInt8]) {
        if value < 0 { line.append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        var divisor: UInt = 1  // the power of ten of the leading digit (at most 10^19: no overflow)
        while rest / divisor >= 10 { divisor *= 10 }
        repeat {
            line.append(UInt8(0x30 + rest / divisor))
            rest %= divisor
            divisor /= 10
        } while divisor > 0
    }

    private var payloadSize: Int {
        switch payload {
        case .json(let bytes), .item(let bytes, _, _): bytes.count
        case .text(let text): text.utf8.count * 2
        case .none, .noItems: 0
        }
    }

    /// `2026-11-29T10:02:03.123Z`.
    static func timestamp(_ seconds: Double) -> String {
        var text: [UInt8] = []
        appendTimestamp(seconds, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends `2026-11-29T10:02:03.123Z`.
    static func appendTimestamp(_ seconds: Double, to line: inout [UInt8]) {
        var whole = time_t(seconds.rounded(.down))
        let millis = min(999, Int((seconds - Double(whole)) * 1000))
        var parts = tm()
        gmtime_r(&whole, &parts)
        func digits(_ value: Int, _ width: Int) {
            var rest = value
            let end = line.count + width
            line.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
            for i in (end - width..<end).reversed() {
                line[i] = UInt8(0x30 + rest % 10)
                rest /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        line.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        line.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        line.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        line.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        line.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        line.append(UInt8(ascii: "."))
        digits(millis, 3)
        line.append(UInt8(ascii: "Z"))
    }
}
