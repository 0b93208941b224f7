import Testing

@testable import DiscogsBatch

@Suite struct AuthTransportSecurityTests {
    @Test(arguments: [
        ("https://api.discogs.com/releases/1", true),
        ("HTTPS://api.discogs.com", true),
        ("http://api.discogs.com/releases/1", false),
        ("http://127.0.0.1:8080/x", true),
        ("http://127.5.6.7/x", true),
        ("http://localhost:9000/", true),
        ("http://LOCALHOST/", true),
        ("http://[::1]:8080/", true),
        ("http://128.0.0.1/", false),
        ("http://127.0.0.1.example.com/", false),
        ("http://localhost.evil.com/", false),
        ("http://10.0.0.1/", false),
        ("ftp://127.0.0.1/", false),
        ("not a url", false),
    ])
    func credentialsAllowed(url: String, allowed: Bool) {
        #expect(TransportSecurity.credentialsAllowed(to: url) == allowed)
    }

    @Test func oneRefusalForEveryPlace() {
        #expect(TransportSecurity.credentialsRefusal(to: "https://api.discogs.com") == nil)
        #expect(TransportSecurity.credentialsRefusal(to: "http://127.0.0.1:8080") == nil)
        #expect(
            TransportSecurity.credentialsRefusal(to: "http://api.discogs.com")
                == "refusing to send credentials to http://api.discogs.com: credentials go only over HTTPS or to a loopback address")
    }

    @Test(arguments: [
        ("localhost", true), ("api.localhost", true), ("127.0.0.1", true), ("127.255.255.254", true),
        ("::1", true), ("[::1]", true), ("0:0:0:0:0:0:0:1", true), ("::ffff:127.0.0.1", true),
        ("::2", false), ("1.127.0.0", false), ("127.0.0", false), ("127.0.0.256", false), ("", false),
    ])
    func loopback(host: String, expected: Bool) {
        #expect(TransportSecurity.isLoopback(host) == expected)
    }

    @Test(arguments: [
        ("https://api.discogs.com/a", "https://api.discogs.com/b?page=2", false),
        ("https://api.discogs.com/a", "https://API.discogs.com:443/b", false),
        ("https://api.discogs.com/a", "https://img.discogs.com/b", true),
        ("https://api.discogs.com/a", "http://api.discogs.com/b", true),
        ("https://api.discogs.com/a", "https://api.discogs.com:8443/b", true),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8081/a", true),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b", false),
        ("http://127.0.0.1/a", "http://127.0.0.1:80/b", false),
        ("https://api.discogs.com/a", "/relative", true),
    ])
    func redirects(from: String, to: String, drop: Bool) {
        #expect(TransportSecurity.shouldDropCredentials(onRedirectFrom: from, to: to) == drop)
    }
}
