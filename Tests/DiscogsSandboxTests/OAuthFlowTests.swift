import Foundation
import Testing

@testable import DiscogsSandbox

/// The three-legged OAuth flow over a real socket: request token, authorize, access token,
/// identity; expiry on the sandbox clock, denial, wrong verifier.
@Suite struct OAuthFlowTests {
    static func form(_ text: String) -> [String: String] {
        Dictionary(OAuthSignature.parseForm(text), uniquingKeysWith: { first, _ in first })
    }

    func requestToken(_ sandbox: Sandbox, callback: String, method: String = "HMAC-SHA1") async throws -> (token: String, secret: String) {
        let url = "\(sandbox.baseURL)/oauth/request_token"
        let signer = TestOAuthSigner(token: nil, tokenSecret: "", method: method)
        let reply = try await TestHTTP.send(.GET, url, headers: [("Authorization", signer.header(httpMethod: "GET", url: url, extra: [("oauth_callback", callback)]))])
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true)
        let values = Self.form(reply.text)
        #expect(values["oauth_callback_confirmed"] == "true")
        return (try #require(values["oauth_token"]), try #require(values["oauth_token_secret"]))
    }

    func authorize(_ sandbox: Sandbox, token: String, approve: String = "yes") async throws -> TestHTTP.Reply {
        try await TestHTTP.send(
            .POST, "\(sandbox.baseURL)/oauth/authorize", body: "oauth_token=\(OAuthSignature.percentEncode(token))&approve=\(approve)",
            contentType: "application/x-www-form-urlencoded")
    }

    func exchange(_ sandbox: Sandbox, token: String, secret: String, verifier: String, method: String = "HMAC-SHA1") async throws -> TestHTTP.Reply {
        let url = "\(sandbox.baseURL)/oauth/access_token"
        let signer = TestOAuthSigner(token: token, tokenSecret: secret, method: method)
        return try await TestHTTP.send(.POST, url, headers: [("Authorization", signer.header(httpMethod: "POST", url: url, extra: [("oauth_verifier", verifier)]))])
    }

    @Test func callbackFlowEndToEnd() async throws {
        try await withSandbox { sandbox throws in
            let request = try await requestToken(sandbox, callback: "http://localhost:9/callback?state=1")
            let page = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/oauth/authorize?oauth_token=\(request.token)")
            #expect(page.status == 200)
            #expect(page.text.contains(request.token))
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)

            let approved = try await authorize(sandbox, token: request.token)
            #expect(approved.status == 302)
            let location = try #require(approved.header("Location"))
            #expect(location.hasPrefix("http://localhost:9/callback?state=1&oauth_token=\(request.token)&oauth_verifier="))
            let query = Self.form(String(location.split(separator: "?", maxSplits: 1)[1]))
            let verifier = try #require(query["oauth_verifier"])

            let access = try await exchange(sandbox, token: request.token, secret: request.secret, verifier: verifier)
            #expect(access.status == 200, "\(access.text)")
            let values = Self.form(access.text)
            let accessToken = try #require(values["oauth_token"])
            let accessSecret = try #require(values["oauth_token_secret"])

            let identityURL = "\(sandbox.baseURL)/oauth/identity"
            let signer = TestOAuthSigner(token: accessToken, tokenSecret: accessSecret, method: "PLAINTEXT")
            let identity = try await TestHTTP.send(.GET, identityURL, headers: [("Authorization", signer.header(httpMethod: "GET", url: identityURL))])
            #expect(identity.status == 200)
            #expect(identity.json["username"] as? String == SandboxCredentials.demo.username)
            let wants = try await TestHTTP.send(.PUT, "\(sandbox.baseURL)/users/\(SandboxCredentials.demo.username)/wants/77",
                headers: [("Authorization", signer.header(httpMethod: "PUT", url: "\(sandbox.baseURL)/users/\(SandboxCredentials.demo.username)/wants/77"))])
            #expect(wants.status == 201)

            // a request token is good for one exchange only
            let again = try await exchange(sandbox, token: request.token, secret: request.secret, verifier: verifier)
            #expect(again.status == 400)
        }
    }

    @Test func outOfBandFlowShowsTheVerifier() async throws {
        try await withSandbox { sandbox throws in
            let request = try await requestToken(sandbox, callback: "oob", method: "PLAINTEXT")
            let page = try await authorize(sandbox, token: request.token)
            #expect(page.status == 200)
            let match = try #require(page.text.firstMatch(of: /oauth_verifier=([A-Za-z0-9]+)/))
            let access = try await exchange(sandbox, token: request.token, secret: request.secret, verifier: String(match.1), method: "PLAINTEXT")
            #expect(access.status == 200, "\(access.text)")
            #expect(Self.form(access.text)["oauth_token"] != nil)
        }
    }

    @Test func requestTokenExpiresAfterFifteenMinutes() async throws {
        let clock = ManualSandboxClock()
        try await withSandbox(clock: clock) { sandbox throws in
            let request = try await requestToken(sandbox, callback: "oob")
            sandbox.advanceClock(by: .seconds(16 * 60))
            let page = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/oauth/authorize?oauth_token=\(request.token)")
            #expect(page.status == 400)
            #expect(page.message?.contains("expired") == true)
            #expect(try await authorize(sandbox, token: request.token).status == 400)
        }
    }

    @Test func verifierExpiresAfterFifteenMinutesViaControlEndpoint() async throws {
        try await withSandbox { sandbox throws in
            let request = try await requestToken(sandbox, callback: "oob")
            let page = try await authorize(sandbox, token: request.token)
            let verifier = String(try #require(page.text.firstMatch(of: /oauth_verifier=([A-Za-z0-9]+)/)).1)
            let advanced = try await TestHTTP.send(.POST, "\(sandbox.baseURL)/_sandbox/advance?seconds=960", userAgent: nil)
            #expect(advanced.status == 200)
            #expect(advanced.json["offset_seconds"] as? Double == 960)
            let access = try await exchange(sandbox, token: request.token, secret: request.secret, verifier: verifier)
            #expect(access.status == 400)
            #expect(access.message?.contains("expired") == true)
        }
    }

    @Test func denialAndWrongVerifier() async throws {
        try await withSandbox { sandbox throws in
            let denied = try await requestToken(sandbox, callback: "http://localhost:9/cb")
            let answer = try await authorize(sandbox, token: denied.token, approve: "no")
            #expect(answer.status == 302)
            #expect(answer.header("Location") == "http://localhost:9/cb?denied=\(denied.token)")
            #expect(try await exchange(sandbox, token: denied.token, secret: denied.secret, verifier: "anything").status == 400)

            let request = try await requestToken(sandbox, callback: "oob")
            let notYet = try await exchange(sandbox, token: request.token, secret: request.secret, verifier: "early")
            #expect(notYet.status == 400)
            let page = try await authorize(sandbox, token: request.token)
            let verifier = String(try #require(page.text.firstMatch(of: /oauth_verifier=([A-Za-z0-9]+)/)).1)
            let wrong = try await exchange(sandbox, token: request.token, secret: request.secret, verifier: verifier + "x")
            #expect(wrong.status == 400)
            #expect(wrong.message == "Invalid OAuth verifier.")
            // the request token is used up by the wrong attempt
            #expect(try await exchange(sandbox, token: request.token, secret: request.secret, verifier: verifier).status == 400)
        }
    }

    @Test func badFlowRequests() async throws {
        try await withSandbox { sandbox throws in
            let url = "\(sandbox.baseURL)/oauth/request_token"
            let signer = TestOAuthSigner(token: nil, tokenSecret: "")
            let noCallback = try await TestHTTP.send(.GET, url, headers: [("Authorization", signer.header(httpMethod: "GET", url: url))])
            #expect(noCallback.status == 400)
            let post = try await TestHTTP.send(.POST, url, headers: [("Authorization", signer.header(httpMethod: "POST", url: url, extra: [("oauth_callback", "oob")]))])
            #expect(post.status == 405)
            var badConsumer = signer
            badConsumer.consumerSecret = "wrong"
            let unsigned = try await TestHTTP.send(.GET, url, headers: [("Authorization", badConsumer.header(httpMethod: "GET", url: url, extra: [("oauth_callback", "oob")]))])
            #expect(unsigned.status == 401)
            #expect(unsigned.header("WWW-Authenticate")?.hasPrefix("OAuth") == true)
            let unknown = try await exchange(sandbox, token: "nope", secret: "", verifier: "x")
            #expect(unknown.status == 400)
        }
    }
}
