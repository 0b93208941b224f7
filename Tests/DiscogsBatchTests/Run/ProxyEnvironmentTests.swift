import DiscogsBatch
import Testing

@Suite struct ProxyEnvironmentTests {
    typealias Proxy = ProxyEnvironment.Proxy

    static func proxies(_ environment: [String: String]) throws -> ProxyEnvironment {
        try ProxyEnvironment(environment: environment)
    }

    static func parse(_ value: String) throws -> Proxy? {
        try ProxyEnvironment(environment: ["HTTPS_PROXY": value]).https
    }

    @Test func eachSchemeHasItsOwnVariableAndAllProxyIsTheFallback() throws {
        let both = try Self.proxies(["HTTPS_PROXY": "http://secure:3128", "http_proxy": "plain:8080", "ALL_PROXY": "http://all:1"])
        #expect(both.proxy(scheme: "https", host: "api.discogs.com")?.description == "secure:3128")
        #expect(both.proxy(scheme: "http", host: "api.discogs.com")?.description == "plain:8080")
        let fallback = try Self.proxies(["all_proxy": "all:9"])
        #expect(fallback.proxy(scheme: "https", host: "api.discogs.com")?.description == "all:9")
        #expect(fallback.proxy(scheme: "http", host: "api.discogs.com")?.description == "all:9")
        #expect(try Self.proxies([:]).proxy(scheme: "https", host: "api.discogs.com") == nil)
        #expect(try Self.proxies(["HTTPS_PROXY": "  "]).proxy(scheme: "https", host: "api.discogs.com") == nil)
    }

    @Test func theLowercaseNameWins() throws {
        let proxies = try Self.proxies(["https_proxy": "lower:1", "HTTPS_PROXY": "upper:2"])
        #expect(proxies.proxy(scheme: "https", host: "x.example")?.host == "lower")
    }

    @Test func readsTheURLAsCurlDoes() throws {
        let plain = try Self.parse("proxy.corp")
        #expect(plain == Proxy(kind: .http, host: "proxy.corp", port: 1080))
        let full = try #require(try Self.parse("HTTP://al%40ice:p%3Ass@Proxy.Corp:3128/"))
        #expect(full == Proxy(kind: .http, host: "proxy.corp", port: 3128, username: "al@ice", password: "p:ss"))
        #expect(full.description == "proxy.corp:3128")
        let v6 = try #require(try Self.parse("http://[::1]:8080"))
        #expect(v6.host == "::1" && v6.port == 8080 && v6.description == "[::1]:8080")
        #expect(try Self.parse("socks5h://gate:1081") == Proxy(kind: .socks5, host: "gate", port: 1081))
    }

    @Test(arguments: [
        "https://proxy:443", "ftp://proxy:21", "http://proxy:port", "http://proxy:0", "http://proxy:70000",
        "http://:8080", "http://proxy:8080/path", "socks5://u:p@proxy:1080", "http://u:%zz@proxy:1",
    ])
    func refusesWhatCannotBeUsedWithoutRepeatingIt(_ value: String) throws {
        let error = #expect(throws: ProxyEnvironment.Failure.self) {
            try ProxyEnvironment(environment: ["https_proxy": value])
        }
        #expect(error?.variable == "https_proxy")
        #expect(error.map { !$0.description.contains(value) } == true)
        #expect(error.map { !$0.description.contains("%zz") } == true)
    }

    @Test func noProxyMatchesSuffixesAddressesAndStar() throws {
        let proxies = try Self.proxies([
            "HTTPS_PROXY": "proxy:3128", "NO_PROXY": "example.com, .corp.internal,10.1.2.3 192.168.0.0/16,[fd00::1]",
        ])
        for direct in ["example.com", "api.example.com", "EXAMPLE.COM.", "corp.internal", "a.b.corp.internal", "10.1.2.3",
            "192.168.40.2", "[fd00::1]"]
        {
            #expect(proxies.proxy(scheme: "https", host: direct) == nil, "\(direct)")
        }
        for proxied in ["notexample.com", "example.com.evil", "10.1.2.30", "110.1.2.3", "192.169.0.1", "api.discogs.com"] {
            #expect(proxies.proxy(scheme: "https", host: proxied) != nil, "\(proxied)")
        }
        let star = try Self.proxies(["HTTPS_PROXY": "proxy:3128", "no_proxy": "*"])
        #expect(star.proxy(scheme: "https", host: "api.discogs.com") == nil)
        // An address entry is an address: it is not a suffix of another address.
        let address = try Self.proxies(["HTTPS_PROXY": "proxy:3128", "no_proxy": "0.0.1"])
        #expect(address.proxy(scheme: "https", host: "10.0.0.1") != nil)
    }

    @Test func loopbackGoesDirectUnlessAskedFor() throws {
        let environment = ["HTTPS_PROXY": "proxy:3128", "HTTP_PROXY": "proxy:3128"]
        let proxies = try Self.proxies(environment)
        for host in ["localhost", "api.localhost", "127.0.0.1", "127.9.8.7", "[::1]", "::1"] {
            #expect(proxies.proxy(scheme: "http", host: host) == nil, "\(host)")
        }
        #expect(proxies.proxy(scheme: "http", host: "128.0.0.1") != nil)
        let asked = try Self.proxies(environment.merging(["DISCOGS_BATCH_PROXY_LOOPBACK": "1"]) { $1 })
        #expect(asked.proxy(scheme: "http", host: "127.0.0.1")?.description == "proxy:3128")
        // NO_PROXY still applies to loopback when it is proxied.
        let listed = try Self.proxies(environment.merging(["DISCOGS_BATCH_PROXY_LOOPBACK": "1", "NO_PROXY": "127.0.0.1"]) { $1 })
        #expect(listed.proxy(scheme: "http", host: "127.0.0.1") == nil)
        #expect(listed.proxy(scheme: "http", host: "localhost")?.description == "proxy:3128")
    }
}
