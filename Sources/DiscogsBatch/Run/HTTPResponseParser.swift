#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads HTTP/1.1 responses (RFC 9112) from a connection's bytes as they arrive, in any pieces:
/// the status line and header fields, then a body framed by `Content-Length`, by chunked transfer
/// coding (extensions and trailer fields skipped) or by the connection closing. Interim 1xx answers
/// are skipped; 204 and 304 have no body (no HEAD is ever sent).
///
/// It replaced NIO's response decoder, whose llhttp callbacks, `HTTPHeaders` and three pipeline
/// messages per response cost more than the rest of the transport (Benchmarks/README.md,
/// "Instructions per request"): this reads the head in place, makes each header field's name and
/// value `String`s once, and copies the body once.
struct HTTPResponseParser {
    /// What went wrong, and whether it is a body over the limit (a `decode` error) rather than bytes
    /// that are not HTTP (a broken connection).
    struct Failure: Error, Equatable {
        var message: String
        var tooLarge = false
    }

    private enum State {
        case head
        case fixed(Int)
        case untilClose
        case chunkSize
        case chunkData(Int)
        case chunkDataEnd
        case trailers
    }

    /// Largest head (status line and fields) accepted, in bytes, as NIO's decoder allowed.
    static let maxHeadBytes = 80 * 1024
    let maxBodyBytes: Int
    private var state = State.head
    private var response = TransportResponse(status: 0, headers: [], body: [])
    private var keepAlive = true

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// A response has begun (or bytes of one are held by the caller): a close now would cut it short.
    var isIdle: Bool {
        if case .head = state { return true }
        return false
    }

    /// Reads from `bytes` until a response is complete or the bytes run out. Returns how many bytes it
    /// used (the caller keeps the rest and passes them again, followed by more) and the response when
    /// one completed, with whether the connection may carry another request.
    mutating func parse(_ bytes: UnsafeRawBufferPointer) throws -> (used: Int, response: (TransportResponse, keepAlive: Bool)?) {
        var i = 0
        while true {
            switch state {
            case .head:
                guard let end = Self.endOfHead(bytes, from: i) else {
                    if bytes.count - i > Self.maxHeadBytes { throw Failure(message: "its head is larger than 80 KiB") }
                    return (i, nil)
                }
                if end - i > Self.maxHeadBytes { throw Failure(message: "its head is larger than 80 KiB") }
                let interim = try readHead(UnsafeRawBufferPointer(rebasing: bytes[i..<end]))
                i = end
                if interim { continue }
                if case .fixed(0) = state { return (i, finish()) }
            case .fixed(let left):
                let rest = try takeBody(bytes, &i, left)
                guard rest == 0 else {
                    state = .fixed(rest)
                    return (i, nil)
                }
                return (i, finish())
            case .untilClose:
                try appendBody(bytes, i..<bytes.count)
                return (bytes.count, nil)
            case .chunkSize:
                guard let lineEnd = Self.index(of: 0x0A, in: bytes, from: i) else {
                    if bytes.count - i > 4096 { throw Failure(message: "a chunk size line is longer than 4 KiB") }
                    return (i, nil)
                }
                let size = try Self.chunkSize(UnsafeRawBufferPointer(rebasing: bytes[i..<lineEnd]))
                guard size <= maxBodyBytes - response.body.count else { throw tooLarge }
                i = lineEnd + 1
                state = size == 0 ? .trailers : .chunkData(size)
            case .chunkData(let left):
                let rest = try takeBody(bytes, &i, left)
                guard rest == 0 else {
                    state = .chunkData(rest)
                    return (i, nil)
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                guard i < bytes.count else { return (i, nil) }
                if bytes[i] == 0x0D {
                    guard i + 1 < bytes.count else { return (i, nil) }
                    guard bytes[i + 1] == 0x0A else { throw Failure(message: "a chunk does not end with CRLF") }
                    i += 2
                } else if bytes[i] == 0x0A {
                    i += 1
                } else {
                    throw Failure(message: "a chunk is longer than its size")
                }
                state = .chunkSize
            case .trailers:
                guard let lineEnd = Self.index(of: 0x0A, in: bytes, from: i) else {
                    if bytes.count - i > Self.maxHeadBytes { throw Failure(message: "its trailer fields are larger than 80 KiB") }
                    return (i, nil)
                }
                let empty = lineEnd == i || (lineEnd == i + 1 && bytes[i] == 0x0D)
                i = lineEnd + 1
                if empty { return (i, finish()) }
            }
        }
    }

    /// The connection has closed: the body that runs until the close is complete; any other response
    /// under way was cut short (nil when none was).
    mutating func close() throws -> (TransportResponse, keepAlive: Bool)? {
        switch state {
        case .head: return nil
        case .untilClose: return finish()
        default: throw Failure(message: NIOHTTPTransport.closedEarly.message)
        }
    }

    private var tooLarge: Failure {
        let limit = maxBodyBytes % (1 << 20) == 0 ? "\(maxBodyBytes >> 20) MiB" : "\(maxBodyBytes) bytes"
        return Failure(message: "response body larger than the limit of \(limit)", tooLarge: true)
    }

    /// Takes up to `left` bytes of body from `i` on; returns how many are still to come.
    private mutating func takeBody(_ bytes: UnsafeRawBufferPointer, _ i: inout Int, _ left: Int) throws -> Int {
        let count = min(left, bytes.count - i)
        try appendBody(bytes, i..<i + count)
        i += count
        return left - count
    }

    private mutating func appendBody(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) throws {
        guard range.count <= maxBodyBytes - response.body.count else { throw tooLarge }
        response.body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    private mutating func finish() -> (TransportResponse, keepAlive: Bool) {
        defer {
            state = .head
            response = TransportResponse(status: 0, headers: [], body: [])
            keepAlive = true
        }
        return (response, keepAlive)
    }

    /// The index just past the empty line that ends the head starting at `start`, or nil.
    private static func endOfHead(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var i = start
        while let lineFeed = index(of: 0x0A, in: bytes, from: i) {
            i = lineFeed + 1
            guard i < bytes.count else { return nil }
            if bytes[i] == 0x0A { return i + 1 }
            if bytes[i] == 0x0D {
                guard i + 1 < bytes.count else { return nil }
                if bytes[i + 1] == 0x0A { return i + 2 }
            }
        }
        return nil
    }

    static func index(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress,
            let found = memchr(base + start, Int32(byte), bytes.count - start)
        else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// Reads a head (its lines, the empty one included); true when it was an interim 1xx answer.
    private mutating func readHead(_ head: UnsafeRawBufferPointer) throws -> Bool {
        var lines = Lines(head)
        guard let statusLine = lines.next(), !statusLine.isEmpty else { throw Failure(message: "it has no status line") }
        // HTTP-version SP 3DIGIT [SP reason-phrase]
        guard statusLine.count >= 12, Self.same(UnsafeRawBufferPointer(rebasing: statusLine[..<7]), "http/1."),
            Self.isDigit(statusLine[7]), statusLine[8] == 0x20, statusLine.count == 12 || statusLine[12] == 0x20,
            Self.isDigit(statusLine[9]), Self.isDigit(statusLine[10]), Self.isDigit(statusLine[11]), statusLine[9] != 0x30
        else { throw Failure(message: "its status line is not HTTP/1.x") }
        let status = Int(statusLine[9] - 0x30) * 100 + Int(statusLine[10] - 0x30) * 10 + Int(statusLine[11] - 0x30)
        let http10 = statusLine[7] == 0x30
        keepAlive = !http10  // HTTP/1.0 closes unless it says otherwise
        response.status = status
        response.headers.removeAll(keepingCapacity: true)
        var length: Int?
        var chunked = false
        var transferCoded = false
        while let line = lines.next(), !line.isEmpty {
            if line[0] == 0x20 || line[0] == 0x09 {
                // An obsolete line folding: part of the previous value (RFC 9112 §5.2).
                guard let last = response.headers.popLast() else { throw Failure(message: "its first header field is folded") }
                response.headers.append((last.name, last.value + " " + (try Self.value(Self.trimmed(line)))))
                continue
            }
            var colon = 0
            while colon < line.count, line[colon] != UInt8(ascii: ":") {
                guard RequestBytes.isToken(line[colon]) else { throw Failure(message: "a header field is not a token, a colon and a value") }
                colon += 1
            }
            guard colon > 0, colon < line.count else { throw Failure(message: "a header field is not a token, a colon and a value") }
            let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
            let value = Self.trimmed(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))
            response.headers.append((String(decoding: name, as: UTF8.self), try Self.value(value)))
            if Self.same(name, "content-length") {
                // Digits only; a list of equal values (some servers repeat it) is one value.
                for item in value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                    let digits = Self.trimmed(UnsafeRawBufferPointer(rebasing: item))
                    guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(Self.isDigit) else {
                        throw Failure(message: "its Content-Length is not one number")
                    }
                    let number = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                    guard length == nil || length == number else { throw Failure(message: "its Content-Length is not one number") }
                    length = number
                }
            } else if Self.same(name, "transfer-encoding") {
                transferCoded = true
                let last = value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).last
                chunked = last.map { Self.same(Self.trimmed(UnsafeRawBufferPointer(rebasing: $0)), "chunked") } ?? false
            } else if Self.same(name, "connection") {
                for item in value.split(separator: UInt8(ascii: ",")) {
                    let token = Self.trimmed(UnsafeRawBufferPointer(rebasing: item))
                    if Self.same(token, "close") { keepAlive = false }
                    if Self.same(token, "keep-alive"), http10 { keepAlive = true }
                }
            }
        }
        if status < 200 && status != 101 { return true }  // interim: the answer follows
        if status == 101 || status == 204 || status == 304 {
            // No body. A 101 switched protocols, which this client never asks for: nothing more is HTTP.
            if status == 101 { keepAlive = false }
            state = .fixed(0)
        } else if transferCoded {
            // Chunked if it is the last coding; otherwise the body runs until the close (RFC 9112 §6.3).
            // A Content-Length beside it is ignored, and the connection not reused.
            if length != nil || !chunked { keepAlive = false }
            state = chunked ? .chunkSize : .untilClose
        } else if let length {
            guard length <= maxBodyBytes else { throw tooLarge }
            response.body.reserveCapacity(length)
            state = .fixed(length)
        } else {
            keepAlive = false
            state = .untilClose
        }
        return false
    }

    /// The lines of a head, without their line ends (CRLF or LF).
    private struct Lines {
        let bytes: UnsafeRawBufferPointer
        var start = 0

        init(_ bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        mutating func next() -> UnsafeRawBufferPointer? {
            guard let lineFeed = HTTPResponseParser.index(of: 0x0A, in: bytes, from: start) else { return nil }
            var end = lineFeed
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            defer { start = lineFeed + 1 }
            return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }

    /// Whether `bytes` are `lowercase` (ASCII) in any case.
    private static func same(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        for i in 0..<bytes.count where bytes[i] | 0x20 != lowercase.utf8Start[i] {
            return false
        }
        return true
    }

    /// `bytes` without the spaces and tabs around them.
    private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// A field value as text (the spaces and tabs around it left out); control characters refused.
    private static func value(_ value: UnsafeRawBufferPointer) throws -> String {
        guard value.allSatisfy(RequestBytes.isValueByte) else { throw Failure(message: "a header field's value has a control character") }
        return String(decoding: value, as: UTF8.self)
    }

    /// A chunk-size line: hex digits, then optionally spaces or tabs and `;` extensions (ignored).
    private static func chunkSize(_ line: UnsafeRawBufferPointer) throws -> Int {
        var size = 0
        var digits = 0
        var i = 0
        while i < line.count, let digit = hexValue(line[i]) {
            guard digits < 15 else { throw Failure(message: "a chunk size is too large") }
            size = size * 16 + digit
            digits += 1
            i += 1
        }
        while i < line.count, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        let rest = line.count - i
        guard digits > 0, rest == 0 || line[i] == UInt8(ascii: ";") || (rest == 1 && line[i] == 0x0D) else {
            throw Failure(message: "a chunk size is not hexadecimal")
        }
        return size
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }
}
