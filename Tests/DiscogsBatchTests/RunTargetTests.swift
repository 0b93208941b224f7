import Testing

@testable import DiscogsBatch

@Suite struct RunTargetTests {
    @Test func takesAURLApartForSending() throws {
        let plain = try Target("http://127.0.0.1:8080/releases/1?page=2#top")
        #expect(plain.origin == Origin(secure: false, host: "127.0.0.1", port: 8080))
        #expect(plain.authority == "127.0.0.1:8080" && plain.path == "/releases/1?page=2")
        let secure = try Target("HTTPS://api.discogs.com")
        #expect(secure.origin == Origin(secure: true, host: "api.discogs.com", port: 443) && secure.path == "/")
        let query = try Target("http://example.com?q=1")
        #expect(query.origin.port == 80 && query.path == "/?q=1")
        let v6 = try Target("https://[::1]:8443/x")
        #expect(v6.origin == Origin(secure: true, host: "::1", port: 8443) && v6.authority == "[::1]:8443")
    }

    @Test(arguments: ["ftp://example.com/", "http://", "http://:80/", "http://host:0/", "http://host:99999/",
        "http://host:x/", "http://user:secret@host/", "http://[::1]x/", "example.com/releases"])
    func refusesWhatItCannotSend(url: String) {
        #expect(throws: TransportError.self) { try Target(url) }
    }
}
