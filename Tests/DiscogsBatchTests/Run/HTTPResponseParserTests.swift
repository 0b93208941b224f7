import Testing

@testable import DiscogsBatch

/// The transport's HTTP/1.1 response reader, fed bytes as a connection would: whole, and cut in two
/// at every offset (a head, a chunk size line or a CRLF split between reads).
@Suite struct HTTPResponseParserTests {
    struct Parsed: Equatable {
        var status: Int
        var headers: [String]
        var body: String
        var keepAlive: Bool
        /// Bytes after the response, not used.
        var left = 0
    }

    /// Feeds `pieces` in turn, holding what the parser leaves unused as the handler does; then the
    /// close, when `closeAtEnd`.
    static func parse(_ pieces: [[UInt8]], limit: Int = 1 << 20, closeAtEnd: Bool = false) throws -> Parsed? {
        var parser = HTTPResponseParser(maxBodyBytes: limit)
        var held: [UInt8] = []
        for piece in pieces {
            held += piece
            let (used, complete) = try held.withUnsafeBytes { try parser.parse($0) }
            if let (response, keepAlive) = complete {
                let headers = response.headers.map { "\($0.name)=\($0.value)" }
                return Parsed(status: response.status, headers: headers, body: String(decoding: response.body, as: UTF8.self),
                              keepAlive: keepAlive, left: held.count - used)
            }
            held.removeFirst(used)
        }
        guard closeAtEnd, let (response, keepAlive) = try parser.close() else { return nil }
        return Parsed(status: response.status, headers: response.headers.map { "\($0.name)=\($0.value)" },
                      body: String(decoding: response.body, as: UTF8.self), keepAlive: keepAlive)
    }

    /// The same result whole and split at every offset.
    static func everySplit(_ text: String, closeAtEnd: Bool = false) throws -> Parsed? {
        let bytes = Array(text.utf8)
        let whole = try parse([bytes], closeAtEnd: closeAtEnd)
        for cut in 1..<bytes.count {
            let split = try parse([Array(bytes[..<cut]), Array(bytes[cut...])], closeAtEnd: closeAtEnd)
            #expect(split == whole, "cut at \(cut)")
        }
        return whole
    }

    static func failure(_ text: String, limit: Int = 1 << 20, closeAtEnd: Bool = false) -> HTTPResponseParser.Failure? {
        do {
            _ = try parse([Array(text.utf8)], limit: limit, closeAtEnd: closeAtEnd)
            return nil
        } catch {
            return error as? HTTPResponseParser.Failure
        }
    }

    @Test func aBodyOfContentLength() throws {
        let parsed = try Self.everySplit(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 8\r\nX-Discogs-Ratelimit:  60 \r\n\r\n{\"id\":1}")
        #expect(parsed == Parsed(status: 200, headers: ["Content-Type=application/json", "content-length=8", "X-Discogs-Ratelimit=60"],
                                 body: #"{"id":1}"#, keepAlive: true))
    }

    @Test func aChunkedBodyWithExtensionsAndTrailers() throws {
        let parsed = try Self.everySplit(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n4;name=value\r\n{\"a\"\r\nA \r\n:[1,2,3,4]\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n")
        #expect(parsed?.body == #"{"a":[1,2,3,4]}"#)
        #expect(parsed?.keepAlive == true)
        // Bare LF line ends are read too.
        #expect(try Self.parse([Array("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n".utf8)])?.body == "ok")
    }

    @Test func interimAnswersAreSkipped() throws {
        let parsed = try Self.everySplit("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
        #expect(parsed == Parsed(status: 201, headers: ["Content-Length=2"], body: "ok", keepAlive: true))
    }

    @Test func answersWithoutABody() throws {
        for status in ["204 No Content", "304 Not Modified"] {
            let parsed = try Self.parse([Array("HTTP/1.1 \(status)\r\nContent-Length: 10\r\n\r\nHTTP/1.1".utf8)])
            #expect(parsed?.body == "" && parsed?.left == 8 && parsed?.keepAlive == true)
        }
        #expect(try Self.parse([Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n".utf8)])?.keepAlive == false)
    }

    @Test func whetherTheConnectionMayBeReused() throws {
        #expect(try Self.parse([Array("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n".utf8)])?.keepAlive == false)
        #expect(try Self.parse([Array("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)])?.keepAlive == false)
        #expect(try Self.parse([Array("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n".utf8)])?.keepAlive == true)
        // Both framings: Transfer-Encoding wins, and the connection is not trusted again.
        let both = try Self.parse([Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n".utf8)])
        #expect(both?.body == "x" && both?.keepAlive == false)
    }

    @Test func aBodyThatRunsUntilTheClose() throws {
        #expect(try Self.parse([Array("HTTP/1.1 200 OK\r\n\r\npartial".utf8)]) == nil)
        let parsed = try Self.everySplit("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nall of it", closeAtEnd: true)
        #expect(parsed == Parsed(status: 200, headers: ["Transfer-Encoding=gzip"], body: "all of it", keepAlive: false))
        #expect(try Self.parse([Array("HTTP/1.1 200 OK\r\n\r\nall".utf8)], closeAtEnd: true)?.body == "all")
        // A close before any byte of an answer is no answer.
        #expect(try Self.parse([], closeAtEnd: true) == nil)
    }

    @Test func anAnswerCutShortByTheCloseFails() {
        for text in ["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n"] {
            #expect(Self.failure(text, closeAtEnd: true)?.tooLarge == false, "\(text)")
        }
    }

    @Test func anObsoleteFoldIsJoinedToItsValue() throws {
        #expect(try Self.parse([Array("HTTP/1.1 200 OK\r\nX-Long: one\r\n two\r\nContent-Length: 0\r\n\r\n".utf8)])?.headers
            == ["X-Long=one two", "Content-Length=0"])
    }

    @Test(arguments: [
        "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n", "ICY 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "HTTP/1.1 200 OK\r\nSpace : before colon\r\n\r\n", "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Nul: a\u{0}b\r\n\r\n", "HTTP/1.1 200 OK\r\nX-CR: a\rb\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded first\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1234567890123456\r\n",
    ])
    func whatIsNotHTTPFails(_ text: String) {
        #expect(Self.failure(text)?.tooLarge == false)
    }

    @Test func theLimitsHold() {
        #expect(Self.failure("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", limit: 10)?.tooLarge == true)
        #expect(Self.failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\n", limit: 10)?.tooLarge == true)
        #expect(Self.failure("HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 11), limit: 10)?.tooLarge == true)
        #expect(Self.failure("HTTP/1.1 200 OK\r\nX: " + String(repeating: "x", count: 81 * 1024))?.tooLarge == false)
        #expect(Self.failure("HTTP/1.1 200 OK\r\nX: " + String(repeating: "x", count: 81 * 1024) + "\r\n\r\n")?.tooLarge == false)
        #expect(Self.failure("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", limit: 10) == nil)
    }
}
