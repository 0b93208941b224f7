import Foundation
import Testing

@testable import DiscogsSandbox

/// Each credential mode over a real socket, in header and query form, accepted and refused.
@Suite struct AuthenticationTests {
    let demo = SandboxCredentials.demo

    @Test func tokenInHeaderAndQuery() async throws {
        try await withSandbox { sandbox throws in
            let header = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/oauth/identity", headers: [("Authorization", "Discogs token=\(demo.token)")])
            #expect(header.status == 200)
            #expect(header.json["username"] as? String == demo.username)
            #expect(header.intHeader("X-Discogs-Ratelimit") == 60)
            let query = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/oauth/identity?token=\(demo.token)")
            #expect(query.status == 200)

            let badHeader = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1", headers: [("Authorization", "Discogs token=nope")])
            #expect(badHeader.status == 401)
            #expect(badHeader.header("WWW-Authenticate")?.hasPrefix("Discogs") == true)
            #expect(badHeader.message != nil)
            let badQuery = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1?token=nope")
            #expect(badQuery.status == 401)
            #expect(badQuery.header("WWW-Authenticate") != nil)
            #expect(sandbox.stats().authFailures == 2)
        }
    }

    @Test func keyAndSecretGetTheHighTierButNoUser() async throws {
        try await withSandbox { sandbox throws in
            let header = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1", headers: [("Authorization", "Discogs key=\(demo.consumerKey), secret=\(demo.consumerSecret)")])
            #expect(header.status == 200)
            #expect(header.intHeader("X-Discogs-Ratelimit") == 60)
            let images = try #require(header.json["images"] as? [[String: Any]])
            #expect((images.first?["uri"] as? String)?.hasPrefix("http") == true)

            let query = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1?key=\(demo.consumerKey)&secret=\(demo.consumerSecret)")
            #expect(query.status == 200)
            #expect(query.intHeader("X-Discogs-Ratelimit") == 60)

            let noUser = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/oauth/identity", headers: [("Authorization", "Discogs key=\(demo.consumerKey), secret=\(demo.consumerSecret)")])
            #expect(noUser.status == 401)
            #expect(noUser.header("WWW-Authenticate") != nil)
            let wrongSecret = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1", headers: [("Authorization", "Discogs key=\(demo.consumerKey), secret=wrong")])
            #expect(wrongSecret.status == 401)
            let wrongQuery = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1?key=\(demo.consumerKey)&secret=wrong")
            #expect(wrongQuery.status == 401)
            let keyOnly = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1?key=\(demo.consumerKey)")
            #expect(keyOnly.status == 401)
        }
    }

    @Test func noCredentialsLowTierAndNoImages() async throws {
        try await withSandbox { sandbox throws in
            let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/42")
            #expect(reply.status == 200)
            #expect(reply.intHeader("X-Discogs-Ratelimit") == 25)
            #expect(reply.intHeader("X-Discogs-Ratelimit-Used") == 1)
            #expect(reply.intHeader("X-Discogs-Ratelimit-Remaining") == 24)
            let images = try #require(reply.json["images"] as? [[String: Any]])
            #expect(!images.isEmpty)
            for image in images {
                #expect(image["uri"] as? String == "")
                #expect(image["uri150"] as? String == "")
                #expect(image["resource_url"] as? String == "")
            }
            let search = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/database/search?q=blue")
            #expect(search.status == 401)
            let identity = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/oauth/identity")
            #expect(identity.status == 401)
            let unknownScheme = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1", headers: [("Authorization", "Bearer abc")])
            #expect(unknownScheme.status == 401)
        }
    }

    @Test func missingUserAgentIsRefused() async throws {
        try await withSandbox { sandbox throws in
            let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1", userAgent: nil)
            #expect(reply.status == 403)
            #expect(reply.message?.contains("User-Agent") == true)
            #expect(reply.intHeader("X-Discogs-Ratelimit") == 25)
            #expect(sandbox.stats().count(status: 403) == 1)
        }
    }

    @Test(arguments: ["PLAINTEXT", "HMAC-SHA1"])
    func oauthAcceptedAndRefused(method: String) async throws {
        try await withSandbox { sandbox throws in
            let signer = TestOAuthSigner(method: method)
            let url = "\(sandbox.baseURL)/database/search?q=a%20b+c&type=release&per_page=5"
            let ok = try await TestHTTP.send(.GET, url, headers: [("Authorization", signer.header(httpMethod: "GET", url: url))])
            #expect(ok.status == 200, "\(ok.text)")
            #expect(ok.intHeader("X-Discogs-Ratelimit") == 60)

            let identityURL = "\(sandbox.baseURL)/oauth/identity"
            let nonce = "fixed-nonce-\(method)"
            let now = Int(Date().timeIntervalSince1970)
            let first = try await TestHTTP.send(.GET, identityURL, headers: [("Authorization", signer.header(httpMethod: "GET", url: identityURL, timestamp: now, nonce: nonce))])
            #expect(first.status == 200)
            #expect(first.json["username"] as? String == demo.username)
            let replay = try await TestHTTP.send(.GET, identityURL, headers: [("Authorization", signer.header(httpMethod: "GET", url: identityURL, timestamp: now, nonce: nonce))])
            #expect(replay.status == 401)
            #expect(replay.message?.contains("nonce") == true)
            #expect(replay.header("WWW-Authenticate")?.hasPrefix("OAuth") == true)

            let stale = try await TestHTTP.send(.GET, identityURL, headers: [("Authorization", signer.header(httpMethod: "GET", url: identityURL, timestamp: now - 11 * 60))])
            #expect(stale.status == 401)
            let future = try await TestHTTP.send(.GET, identityURL, headers: [("Authorization", signer.header(httpMethod: "GET", url: identityURL, timestamp: now + 11 * 60))])
            #expect(future.status == 401)

            var wrongSecret = signer
            wrongSecret.tokenSecret = "not-the-secret"
            let bad = try await TestHTTP.send(.GET, identityURL, headers: [("Authorization", wrongSecret.header(httpMethod: "GET", url: identityURL))])
            #expect(bad.status == 401)
            var unknownToken = signer
            unknownToken.token = "unknown"
            #expect(try await TestHTTP.send(.GET, identityURL, headers: [("Authorization", unknownToken.header(httpMethod: "GET", url: identityURL))]).status == 401)
            var unknownConsumer = signer
            unknownConsumer.consumerKey = "unknown"
            #expect(try await TestHTTP.send(.GET, identityURL, headers: [("Authorization", unknownConsumer.header(httpMethod: "GET", url: identityURL))]).status == 401)
        }
    }

    /// oauth_timestamp is checked against the injected clock: a request signed now is refused once the
    /// clock has measured 11 minutes, and accepted when signed for the clock's time.
    @Test func timestampsAreCheckedAgainstTheInjectedClock() async throws {
        let clock = ManualSandboxClock()
        try await withSandbox(clock: clock) { sandbox throws in
            let signer = TestOAuthSigner(method: "PLAINTEXT")
            let url = "\(sandbox.baseURL)/oauth/identity"
            let now = Int(Date().timeIntervalSince1970)
            clock.advance(by: .seconds(11 * 60))
            let stale = try await TestHTTP.send(.GET, url, headers: [("Authorization", signer.header(httpMethod: "GET", url: url, timestamp: now))])
            #expect(stale.status == 401)
            let current = try await TestHTTP.send(.GET, url, headers: [("Authorization", signer.header(httpMethod: "GET", url: url, timestamp: now + 11 * 60))])
            #expect(current.status == 200, "\(current.text)")
        }
    }

    @Test func hmacCoversQueryAndFormBody() async throws {
        try await withSandbox { sandbox throws in
            let signer = TestOAuthSigner(method: "HMAC-SHA1")
            let url = "\(sandbox.baseURL)/database/search?q=x"
            // signed for another query: refused
            let header = signer.header(httpMethod: "GET", url: "\(sandbox.baseURL)/database/search?q=y")
            #expect(try await TestHTTP.send(.GET, url, headers: [("Authorization", header)]).status == 401)
            // signed for another method: refused
            let postHeader = signer.header(httpMethod: "POST", url: url)
            #expect(try await TestHTTP.send(.GET, url, headers: [("Authorization", postHeader)]).status == 401)
            // form body parameters are part of the signature
            let wantURL = "\(sandbox.baseURL)/users/\(demo.username)/wants/123"
            let form = [("notes", "from a form"), ("rating", "4")]
            let signed = signer.header(httpMethod: "PUT", url: wantURL, form: form)
            let put = try await TestHTTP.send(.PUT, wantURL, headers: [("Authorization", signed)], body: "notes=from+a+form&rating=4", contentType: "application/x-www-form-urlencoded")
            #expect(put.status == 201, "\(put.text)")
            #expect(put.json["notes"] as? String == "from a form")
            let tampered = signer.header(httpMethod: "PUT", url: wantURL, form: form)
            let changed = try await TestHTTP.send(.PUT, wantURL, headers: [("Authorization", tampered)], body: "notes=changed&rating=4", contentType: "application/x-www-form-urlencoded")
            #expect(changed.status == 401)
        }
    }

    @Test func plaintextSignatureIsEncodedOnceMoreOnTheWire() async throws {
        let credentials = SandboxCredentials(consumerSecret: "c&s+1", accessTokenSecret: "t s/2")
        try await withSandbox(SandboxConfiguration(credentials: credentials)) { sandbox throws in
            let url = "\(sandbox.baseURL)/oauth/identity"
            let signer = TestOAuthSigner(consumerSecret: "c&s+1", tokenSecret: "t s/2")
            let header = signer.header(httpMethod: "GET", url: url)
            #expect(header.contains("oauth_signature=\"c%2526s%252B1%26t%2520s%252F2\""))
            #expect(try await TestHTTP.send(.GET, url, headers: [("Authorization", header)]).status == 200)
            // the signature sent raw (not encoded once more) is wrong
            let raw = header.replacingOccurrences(of: "c%2526s%252B1%26t%2520s%252F2", with: "c&s+1&t s/2")
            #expect(try await TestHTTP.send(.GET, url, headers: [("Authorization", raw)]).status == 401)
        }
    }
}
