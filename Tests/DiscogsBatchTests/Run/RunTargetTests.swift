import Testing

@testable import DiscogsBatch

@Suite struct RunTargetTests {
    static func target(_ url: String) throws -> TransportRequest.Target {
        try TransportRequest(method: "GET", url: url, headers: [], body: nil).validatedTarget()
    }

    @Test func takesTheSchemeAndHostForTheProxyChoice() throws {
        #expect(try Self.target("http://127.0.0.1:8080/releases/1?page=2#top") == .init(scheme: "http", host: "127.0.0.1"))
        #expect(try Self.target("HTTPS://api.discogs.com") == .init(scheme: "https", host: "api.discogs.com"))
        #expect(try Self.target("http://example.com?q=1") == .init(scheme: "http", host: "example.com"))
        #expect(try Self.target("https://[::1]:8443/x") == .init(scheme: "https", host: "[::1]"))
    }

    @Test(arguments: ["ftp://example.com/", "http://", "http://:80/", "http://host:0/", "http://host:99999/",
        "http://host:x/", "http://user:secret@host/", "http://[::1]x/", "example.com/releases", "http://host/a b",
        "http://host/caf\u{E9}"])
    func refusesWhatItCannotSend(url: String) {
        #expect(throws: TransportError.self) { try Self.target(url) }
    }
}
