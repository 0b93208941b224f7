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

    /// The line, newline included.
    public func encoded() -> [UInt8] {
        var head = "{\"job\":"
        JSONText.appendString(job, to: &head)
        head += ",\"request\":"
        JSONText.appendString(request, to: &head)
        head += ",\"key\":"
        JSONText.appendString(key, to: &head)
        head += ",\"seq\":\(seq),\"vars\":{"
        for (i, v) in vars.enumerated() {
            if i > 0 { head += "," }
            JSONText.appendString(v.name, to: &head)
            head += ":"
            JSONText.appendString(v.value, to: &head)
        }
        head += "},\"method\":\"\(method)\",\"url\":"
        JSONText.appendString(url, to: &head)
        head += ",\"status\":\(status.map(String.init) ?? "null"),\"attempts\":\(attempts),\"at\":\"\(Self.timestamp(at))\",\"ms\":\(ms)"
        if let r = rateLimit {
            let fields = [("limit", r.limit), ("used", r.used), ("remaining", r.remaining)]
                .compactMap { name, value in value.map { "\"\(name)\":\($0)" } }
            head += ",\"ratelimit\":{\(fields.joined(separator: ","))}"
        }
        if let page { head += ",\"page\":\(page),\"pages\":\(pages ?? page)" }
        var line = Array(head.utf8)
        switch payload {
        case .none: break
        case .json(let bytes):
            line += Array(",\"body\":".utf8)
            line += bytes
        case .text(let text):
            line += Array(",\"body\":".utf8)
            line += Array(JSONText.string(text).utf8)
        case .item(let bytes, let index, let count):
            line += Array(",\"item\":".utf8)
            line += bytes
            line += Array(",\"item_index\":\(index),\"item_count\":\(count)".utf8)
        case .noItems:
            line += Array(",\"item_count\":0".utf8)
        }
        if let error {
            var tail = ",\"error\":{\"kind\":"
            JSONText.appendString(error.kind, to: &tail)
            tail += ",\"message\":"
            JSONText.appendString(error.message, to: &tail)
            tail += "}"
            line += Array(tail.utf8)
        }
        line += Array("}\n".utf8)
        return line
    }

    /// `2026-11-29T10:02:03.123Z`.
    static func timestamp(_ seconds: Double) -> String {
        var whole = time_t(seconds.rounded(.down))
        let millis = min(999, Int((seconds - Double(whole)) * 1000))
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}
