import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// `OAuthLogin` and `OAuthCallbackListener` in-process against the sandbox, the test approving as the user.
@Suite("OAuthLogin", .timeLimit(.minutes(2)))
struct OAuthLoginTests {
    static func login(_ sandbox: Sandbox, signature: SignatureMethod = .plaintext, transport: any HTTPTransport)
        -> OAuthLogin
    {
        OAuthLogin(
            baseURL: sandbox.baseURL, consumerKey: SandboxCredentials.demo.consumerKey,
            consumerSecret: SandboxCredentials.demo.consumerSecret, signature: signature,
            userAgent: "oauth-login-tests/1.0", transport: transport)
    }

    @Test(arguments: [SignatureMethod.plaintext, .hmacSHA1])
    func theThreeLegsWithOOB(_ signature: SignatureMethod) async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration())
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        let login = Self.login(sandbox, signature: signature, transport: transport)
        do {
            let requestToken = try await login.requestToken(callback: "oob")
            let authorize = OAuthLogin.authorizeURL("\(sandbox.baseURL)/oauth/authorize", token: requestToken.token)
            #expect(authorize.hasPrefix("\(sandbox.baseURL)/oauth/authorize?oauth_token="))
            let page = try await ApprovingUser.approve(requestToken.token, base: sandbox.baseURL, approve: true)
            let verifier = try #require(ApprovingUser.verifier(inPage: page.body))
            let access = try await login.accessToken(for: requestToken, verifier: verifier)
            let identity = try await login.identity(.oauth(
                consumerKey: login.consumerKey, consumerSecret: login.consumerSecret, accessToken: access.token,
                accessTokenSecret: access.secret, signature: signature))
            #expect(identity.username == "sandbox_user")
            #expect(identity.rateLimit == 60)
        } catch {
            Issue.record("\(error)")
        }
        await transport.shutdown()
        await sandbox.stop()
    }

    @Test func theCallbackListenerCapturesTheVerifierForItsToken() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration())
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        let login = Self.login(sandbox, transport: transport)
        let listener = try OAuthCallbackListener()
        #expect(listener.callbackURL.hasPrefix("http://127.0.0.1:"))
        let requestToken = try await login.requestToken(callback: listener.callbackURL)
        async let verifier = listener.verifier(expectedToken: requestToken.token, timeout: .seconds(60))
        // Another path and a callback for another token are answered, and the wait goes on.
        #expect(try await ApprovingUser.get("http://127.0.0.1:\(listener.port)/favicon.ico").status == 404)
        #expect(try await ApprovingUser.get("\(listener.callbackURL)?oauth_token=other&oauth_verifier=x").status == 400)
        let approval = try await ApprovingUser.approve(requestToken.token, base: sandbox.baseURL, approve: true)
        let location = try #require(approval.header("Location"))
        #expect(try await ApprovingUser.get(location).status == 200)
        let captured = try await verifier
        #expect(location.hasSuffix("oauth_verifier=\(OAuth1Signer.percentEncode(captured))"))
        let access = try await login.accessToken(for: requestToken, verifier: captured)
        #expect(!access.secret.isEmpty)
        await transport.shutdown()
        await sandbox.stop()
    }

    @Test func expiredWrongAndDeniedAreRefusedWithClearMessages() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration())
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        let login = Self.login(sandbox, transport: transport)

        // Expired: approved, then the sandbox clock moves 16 minutes.
        let first = try await login.requestToken(callback: "oob")
        let page = try await ApprovingUser.approve(first.token, base: sandbox.baseURL, approve: true)
        let verifier = try #require(ApprovingUser.verifier(inPage: page.body))
        sandbox.advanceClock(by: .seconds(16 * 60))
        let expired = await #expect(throws: OAuthLoginError.self) { try await login.accessToken(for: first, verifier: verifier) }
        #expect("\(expired!)".contains("expired"))
        #expect(!"\(expired!)".contains(verifier))
        #expect(expired?.exitCode == 3)

        // Wrong verifier.
        let second = try await login.requestToken(callback: "oob")
        _ = try await ApprovingUser.approve(second.token, base: sandbox.baseURL, approve: true)
        let wrong = await #expect(throws: OAuthLoginError.self) { try await login.accessToken(for: second, verifier: "nope-1234") }
        #expect("\(wrong!)".contains("Invalid OAuth verifier."))

        // Denied, then exchanged anyway.
        let third = try await login.requestToken(callback: "oob")
        _ = try await ApprovingUser.approve(third.token, base: sandbox.baseURL, approve: false)
        let denied = await #expect(throws: OAuthLoginError.self) { try await login.accessToken(for: third, verifier: "anything") }
        #expect("\(denied!)".contains("denied"))

        // A wrong consumer secret fails at the first leg, without echoing it.
        var bad = login
        bad.consumerSecret = "wrong-consumer-secret-99"
        let refused = await #expect(throws: OAuthLoginError.self) { try await bad.requestToken(callback: "oob") }
        #expect("\(refused!)".contains("refused the request token"))
        #expect(!"\(refused!)".contains("wrong-consumer-secret-99"))
        await transport.shutdown()
        await sandbox.stop()
    }

    @Test func theListenerReportsADenial() async throws {
        let listener = try OAuthCallbackListener()
        async let verifier = listener.verifier(expectedToken: "tok-1", timeout: .seconds(60))
        #expect(try await ApprovingUser.get("\(listener.callbackURL)?denied=tok-1").status == 200)
        do {
            _ = try await verifier
            Issue.record("a denial must end the wait with an error")
        } catch {
            #expect("\(error)".contains("denied"))
        }
    }
}
