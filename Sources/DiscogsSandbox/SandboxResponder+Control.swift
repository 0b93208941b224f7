import Foundation
import NIOCore

extension SandboxResponder {
    /// `/_sandbox/*`: statistics, reset, clock, credentials and big test bodies. Never rate limited,
    /// faulted or counted, and no User-Agent needed.
    func control(_ request: SandboxRequest) -> SandboxReply {
        if request.path.hasPrefix("/_sandbox/blob/") { return blob(request) }
        if request.path == "/_sandbox/collection/grow" { return growCollection(request) }
        let allowed: [String: String] = [
            "/_sandbox/stats": "GET", "/_sandbox/reset": "POST", "/_sandbox/advance": "POST",
            "/_sandbox/credentials": "GET", "/_sandbox/health": "GET", "/_sandbox/redirect": "GET",
            "/_sandbox/echo": "GET", "/_sandbox/malformed": "GET", "/_sandbox/bomb": "GET",
        ]
        guard let method = allowed[request.path] else { return .notFound("Unknown sandbox control endpoint.") }
        guard request.method == method else { return .methodNotAllowed([method]) }
        switch request.path {
        case "/_sandbox/stats":
            return .json(state.snapshot().json)
        case "/_sandbox/reset":
            state.reset()
            return .json(state.snapshot().json)
        case "/_sandbox/advance":
            guard let text = request.query("seconds") ?? request.form("seconds"), let seconds = Double(text),
                seconds.isFinite, seconds >= 0
            else {
                return .message(422, "seconds must be a non-negative number, e.g. /_sandbox/advance?seconds=960.")
            }
            state.advance(by: .milliseconds(Int64((seconds * 1000).rounded())))
            return .json(.object([
                ("now", .string(ISO8601DateFormatter().string(from: state.now))),
                ("offset_seconds", .decimal(state.clockOffsetSeconds, places: 3)),
            ]))
        case "/_sandbox/redirect":
            // Answers a redirect to ?to=URL (status ?status=, default 302), for tests of redirect rules.
            guard let target = request.query("to") else { return .message(422, "to is required, e.g. ?to=http://...") }
            var reply = SandboxReply.message(Int(request.query("status") ?? "302") ?? 302, "Redirecting.")
            reply.headers.append((.location, target))
            return reply
        case "/_sandbox/echo":
            // What credentials reached the server, without their values.
            let names = request.query.map(\.0)
            return .json(.object([
                ("authorization", .bool(request.headers[.authorization] != nil)),
                ("query", .array(names.map { JSONValue.string($0) })),
            ]))
        case "/_sandbox/malformed":
            // A 200 whose JSON is cut short and repeats the query and Authorization header as sent, as a
            // broken server might: tests check that a body kept as text is redacted too.
            let authorization = request.headers[.authorization] ?? ""
            return .bytes(ByteBuffer(string: #"{"query":"\#(request.rawQuery)","authorization":"\#(authorization)","cut"#))
        case "/_sandbox/bomb":
            // Already gzip, whatever was asked: the client must refuse to expand it past its limits.
            guard let bytes = Int(request.query("bytes") ?? "16777216"), (2...(1 << 30)).contains(bytes) else {
                return .message(422, "bytes must be 2 to 1073741824, e.g. /_sandbox/bomb?bytes=16777216.")
            }
            var reply = SandboxReply.bytes(ContentCoding.bomb(bytes: bytes))
            reply.headers.append((.contentEncoding, ContentCoding.gzip.rawValue))
            return reply
        case "/_sandbox/credentials":
            let credentials = state.configuration.credentials
            return .json(.object([
                ("token", .string(credentials.token)),
                ("consumer_key", .string(credentials.consumerKey)),
                ("consumer_secret", .string(credentials.consumerSecret)),
                ("access_token", .string(credentials.accessToken)),
                ("access_token_secret", .string(credentials.accessTokenSecret)),
                ("username", .string(credentials.username)),
            ]))
        default:
            return .json(.object([("status", "ok")]))
        }
    }

    /// `GET /_sandbox/blob/{id}?bytes=N`: a JSON object of exactly N bytes (default 1 MiB, at most
    /// 16 MiB), the same bytes for the same seed, id and N.
    private func blob(_ request: SandboxRequest) -> SandboxReply {
        guard request.method == "GET" || request.method == "HEAD" else { return .methodNotAllowed(["GET"]) }
        let segments = request.segments
        guard segments.count == 3, let id = UInt64(segments[2]) else {
            return .message(422, "The blob id must be a non-negative integer, e.g. /_sandbox/blob/1?bytes=1048576.")
        }
        var bytes = Blob.defaultBytes
        if let text = request.query("bytes") {
            guard let value = Int(text), (0...Blob.maxBytes).contains(value) else {
                return .message(422, "bytes must be an integer from 0 to \(Blob.maxBytes).")
            }
            bytes = value
        }
        return .bytes(ByteBuffer(bytes: Blob.json(seed: state.configuration.seed, id: id, bytes: bytes)))
    }
}
