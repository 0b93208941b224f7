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
    public var method: String
    public var url: String
    public var status: Int?
    public var attempts: Int
    /// Seconds since 1970.
    public var at: Double
    public var ms: Int
    public var rateLimit: RateLimit?
    public var page: Int?
    public var pages: Int?
    public var payload: Payload = .none
    public var error: (kind: String, message: String)?

    /// The line, newline included, written as UTF-8 bytes (no intermediate `String`).
    public func encoded() -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(512 + payloadSize)
        func raw(_ text: String) { line.append(contentsOf: text.utf8) }
        func string(_ text: String) { JSONText.appendString(text, to: &line) }
        raw("{\"job\":")
        string(job)
        raw(",\"request\":")
        string(request)
        raw(",\"key\":")
        string(key)
        raw(",\"seq\":\(seq),\"vars\":{")
        for (i, v) in vars.enumerated() {
            if i > 0 { raw(",") }
            string(v.name)
            raw(":")
            string(v.value)
        }
        raw("},\"method\":")
        string(method)
        raw(",\"url\":")
        string(url)
        raw(",\"status\":\(status.map(String.init) ?? "null"),\"attempts\":\(attempts),\"at\":\"\(Self.timestamp(at))\",\"ms\":\(ms)")
        if let r = rateLimit {
            let fields = [("limit", r.limit), ("used", r.used), ("remaining", r.remaining)]
                .compactMap { name, value in value.map { "\"\(name)\":\($0)" } }
            raw(",\"ratelimit\":{\(fields.joined(separator: ","))}")
        }
        if let page { raw(",\"page\":\(page),\"pages\":\(pages ?? page)") }
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
            raw(",\"item_index\":\(index),\"item_count\":\(count)")
        case .noItems:
            raw(",\"item_count\":0")
        }
        if let error {
            raw(",\"error\":{\"kind\":")
            string(error.kind)
            raw(",\"message\":")
            string(error.message)
            raw("}")
        }
        raw("}\n")
        return line
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
        var whole = time_t(seconds.rounded(.down))
        let millis = min(999, Int((seconds - Double(whole)) * 1000))
        var parts = tm()
        gmtime_r(&whole, &parts)
        var text = Array("0000-00-00T00:00:00.000Z".utf8)
        let fields = [
            (Int(parts.tm_year) + 1900, 0, 4), (Int(parts.tm_mon) + 1, 5, 2), (Int(parts.tm_mday), 8, 2),
            (Int(parts.tm_hour), 11, 2), (Int(parts.tm_min), 14, 2), (Int(parts.tm_sec), 17, 2), (millis, 20, 3),
        ]
        for (value, offset, width) in fields {
            var rest = value
            for i in (offset..<offset + width).reversed() {
                text[i] = UInt8(0x30 + rest % 10)
                rest /= 10
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}
