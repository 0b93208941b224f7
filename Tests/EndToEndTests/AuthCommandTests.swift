import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// `auth login/whoami/list/logout` as the real executable against an in-process sandbox, with the test
/// acting as the approving user (`POST /oauth/authorize`): callback and --oob modes, expired, denied
/// and wrong verifiers, a job using the stored profile, and no secret in anything printed.
@Suite("AuthCommand", .serialized, .timeLimit(.minutes(3)), .enabled(if: CommandLineTests.binaryExists))
struct AuthCommandTests {
    /// A fresh store directory and the environment that points the executable at it.
    struct Setup {
        let sandbox: Sandbox
        let folder: URL
        var configDirectory: String { folder.appendingPathComponent("config").path }
        var store: CredentialStore { CredentialStore(directory: configDirectory) }
        var environment: [String: String] {
            [
                "DISCOGS_BATCH_CONFIG_DIR": configDirectory,
                "DISCOGS_CONSUMER_KEY": SandboxCredentials.demo.consumerKey,
                "DISCOGS_CONSUMER_SECRET": SandboxCredentials.demo.consumerSecret,
                "DISCOGS_TOKEN": "", "DISCOGS_ACCESS_TOKEN": "", "DISCOGS_ACCESS_TOKEN_SECRET": "",
            ]
        }

        static func start() async throws -> Setup {
            Setup(sandbox: try await Sandbox.start(SandboxConfiguration()), folder: try Harness.temporaryDirectory())
        }

        func stop() async {
            await sandbox.stop()
            try? FileManager.default.removeItem(at: folder)
        }

        /// Every secret known to the test: the consumer's, and those of every stored profile.
        func secrets(extra: [String] = []) -> [String] {
            let stored = ((try? store.load()) ?? [:]).values.flatMap(\.secrets)
            return [SandboxCredentials.demo.consumerKey, SandboxCredentials.demo.consumerSecret] + stored + extra
        }

        func login(_ extra: [String]) throws -> InteractiveProcess {
            try InteractiveProcess(
                ["auth", "login", "--base-url", sandbox.baseURL, "--user-agent", "auth-tests/1.0"] + extra,
                environment: environment)
        }
    }

    static func expectNoSecret(_ texts: [String], _ secrets: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in secrets where !secret.isEmpty {
            for text in texts {
                #expect(!text.contains(secret), "a secret was printed", sourceLocation: sourceLocation)
            }
        }
    }

    // MARK: - Flows

    @Test func callbackModeSignsInAndAJobUsingTheProfileGets200s() async throws {
        let setup = try await Setup.start()
        let login = try setup.login(["--profile", "main"])
        let token = try await Self.authorizeToken(login, base: setup.sandbox.baseURL)
        let approval = try await ApprovingUser.approve(token, base: setup.sandbox.baseURL, approve: true)
        #expect(approval.status == 302)
        let location = try #require(approval.header("Location"))
        #expect(location.hasPrefix("http://127.0.0.1:"))
        #expect(location.contains("/callback?"))
        let callback = try await ApprovingUser.get(location)
        #expect(callback.status == 200)
        #expect(String(decoding: callback.body, as: UTF8.self).contains("Signed in"))
        let result = await login.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "Signed in as sandbox_user (profile main)\n")
        #expect(result.stderr.contains("/oauth/authorize?oauth_token="))
        let verifier = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "oauth_verifier" }?.value)
        Self.expectNoSecret([result.stdout, result.stderr], setup.secrets(extra: [verifier]))

        let profile = try #require(try setup.store.profile(named: "main"))
        #expect(profile.mode == .oauth)
        #expect(profile.username == "sandbox_user")
        #expect(profile.baseURL == setup.sandbox.baseURL)
        #expect(profile.consumerKey == SandboxCredentials.demo.consumerKey)
        #expect(profile.accessToken?.isEmpty == false)

        // A job naming the profile, run in-process: every request answered 200.
        let job = Harness.job(
            auth: "{mode: oauth, profile: main}",
            requests: """
                  - name: identity
                    path: /oauth/identity
                  - name: release
                    path: /releases/{id}
                    foreach: {id: [1, 2, 3]}
                """)
        let outcome = try await Harness.run(job, sandbox: setup.sandbox, environment: ["DISCOGS_BATCH_CONFIG_DIR": setup.configDirectory])
        #expect(outcome.records.count == 4)
        #expect(outcome.records.allSatisfy { $0["status"] as? Int == 200 })
        Self.expectNoSecret([outcome.output], setup.secrets())

        // The same job through the executable, at the profile's base URL (the job sets none).
        let jobPath = setup.folder.appendingPathComponent("job.yaml").path
        try job.write(toFile: jobPath, atomically: true, encoding: .utf8)
        let output = setup.folder.appendingPathComponent("out.ndjson").path
        let run = try await Harness.executable(["run", jobPath, "--output", output, "--verbose"], environment: setup.environment)
        #expect(run.status == 0, "\(run.stderr)")
        let written = try String(contentsOfFile: output, encoding: .utf8)
        #expect(written.split(separator: "\n").count == 4)
        #expect(written.contains("\"status\":200"))
        Self.expectNoSecret([run.stdout, run.stderr, written], setup.secrets())

        // whoami, list, logout: useful output, no secret.
        let whoami = try await Harness.executable(["auth", "whoami", "--profile", "main"], environment: setup.environment)
        #expect(whoami.status == 0, "\(whoami.stderr)")
        #expect(whoami.stdout.contains("username: sandbox_user"))
        #expect(whoami.stdout.contains("mode: oauth"))
        #expect(whoami.stdout.contains("tier: high (60 requests per minute)"))
        #expect(whoami.stdout.contains("base URL: \(setup.sandbox.baseURL)"))
        let whoamiJob = try await Harness.executable(["auth", "whoami", jobPath], environment: setup.environment)
        #expect(whoamiJob.status == 0, "\(whoamiJob.stderr)")
        #expect(whoamiJob.stdout.contains("profile: main"))
        let list = try await Harness.executable(["auth", "list"], environment: setup.environment)
        #expect(list.status == 0)
        #expect(list.stdout.contains("main\n  mode: oauth\n  username: sandbox_user"))
        #expect(list.stdout.contains("consumer_secret: ****"))
        let logout = try await Harness.executable(["auth", "logout", "--profile", "main"], environment: setup.environment)
        #expect(logout.status == 0)
        let again = try await Harness.executable(["auth", "logout", "--profile", "main"], environment: setup.environment)
        #expect(again.status == 2)
        #expect(again.stderr.contains("no profile \"main\""))
        Self.expectNoSecret(
            [whoami.stdout, whoami.stderr, whoamiJob.stdout, whoamiJob.stderr, list.stdout, list.stderr,
             logout.stdout, logout.stderr, again.stdout, again.stderr],
            setup.secrets(extra: [profile.accessToken!, profile.accessTokenSecret!]))
        #expect(try setup.store.load().isEmpty)

        // validate now warns of the missing profile at its line and column (a lint step need not be
        // signed in); run refuses it.
        let validate = try await Harness.executable(["validate", jobPath], environment: setup.environment)
        #expect(validate.status == 0)
        #expect(validate.stderr.contains("\(jobPath):4:30: warning: auth.profile: no profile \"main\" in \(setup.store.path)"), "\(validate.stderr)")
        let refused = try await Harness.executable(["run", jobPath, "--output", "-"], environment: setup.environment)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("\(jobPath):4:30: error: auth.profile: no profile \"main\" in \(setup.store.path)"), "\(refused.stderr)")
        await setup.stop()
    }

    @Test(arguments: ["plaintext", "hmac-sha1"])
    func oobModeReadsTheVerifierFromStandardInput(_ signature: String) async throws {
        let setup = try await Setup.start()
        let login = try setup.login(["--oob", "--signature", signature])
        let token = try await Self.authorizeToken(login, base: setup.sandbox.baseURL)
        let approval = try await ApprovingUser.approve(token, base: setup.sandbox.baseURL, approve: true)
        #expect(approval.status == 200)
        let verifier = try #require(ApprovingUser.verifier(inPage: approval.body))
        login.write("\(verifier)\n")
        let result = await login.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "Signed in as sandbox_user (profile default)\n")
        #expect(try setup.store.profile(named: "default")?.username == "sandbox_user")
        Self.expectNoSecret([result.stdout, result.stderr], setup.secrets(extra: [verifier]))
        await setup.stop()
    }

    @Test func anExpiredRequestTokenIsReportedAndNothingIsStored() async throws {
        let setup = try await Setup.start()
        let login = try setup.login([])
        let token = try await Self.authorizeToken(login, base: setup.sandbox.baseURL)
        let approval = try await ApprovingUser.approve(token, base: setup.sandbox.baseURL, approve: true)
        let location = try #require(approval.header("Location"))
        setup.sandbox.advanceClock(by: .seconds(16 * 60))
        _ = try await ApprovingUser.get(location)
        let result = await login.finish()
        #expect(result.status == 3)
        #expect(result.stderr.contains("expired"), "\(result.stderr)")
        #expect(result.stderr.contains("run auth login again"))
        #expect(result.stdout.isEmpty)
        #expect(try setup.store.load().isEmpty)
        let verifier = URLComponents(string: location)?.queryItems?.first { $0.name == "oauth_verifier" }?.value ?? ""
        Self.expectNoSecret([result.stdout, result.stderr], setup.secrets(extra: [verifier]))
        await setup.stop()
    }

    @Test func aDeniedAuthorizationIsReportedAndNothingIsStored() async throws {
        let setup = try await Setup.start()
        let login = try setup.login([])
        let token = try await Self.authorizeToken(login, base: setup.sandbox.baseURL)
        let approval = try await ApprovingUser.approve(token, base: setup.sandbox.baseURL, approve: false)
        let location = try #require(approval.header("Location"))
        #expect(location.contains("denied="))
        let page = try await ApprovingUser.get(location)
        #expect(String(decoding: page.body, as: UTF8.self).contains("Access denied"))
        let result = await login.finish()
        #expect(result.status == 3)
        #expect(result.stderr.contains("access was denied"), "\(result.stderr)")
        #expect(try setup.store.load().isEmpty)
        Self.expectNoSecret([result.stdout, result.stderr], setup.secrets())
        await setup.stop()
    }

    @Test func aWrongVerifierIsReportedAndNothingIsStored() async throws {
        let setup = try await Setup.start()
        let login = try setup.login(["--oob"])
        let token = try await Self.authorizeToken(login, base: setup.sandbox.baseURL)
        let approval = try await ApprovingUser.approve(token, base: setup.sandbox.baseURL, approve: true)
        let verifier = try #require(ApprovingUser.verifier(inPage: approval.body))
        login.write("wrong-\(verifier)\n")
        let result = await login.finish()
        #expect(result.status == 3)
        #expect(result.stderr.contains("the verifier was refused (HTTP 400: Invalid OAuth verifier.)"), "\(result.stderr)")
        #expect(try setup.store.load().isEmpty)
        Self.expectNoSecret([result.stdout, result.stderr], setup.secrets(extra: [verifier, "wrong-\(verifier)"]))
        await setup.stop()
    }

    @Test func wrongConsumerCredentialsAreRefusedWithoutPrintingThem() async throws {
        let setup = try await Setup.start()
        var environment = setup.environment
        environment["DISCOGS_CONSUMER_SECRET"] = "not-the-consumer-secret-4711"
        let result = try await Harness.executable(
            ["auth", "login", "--oob", "--base-url", setup.sandbox.baseURL], environment: environment)
        #expect(result.status == 3)
        #expect(result.stderr.contains("refused the request token"), "\(result.stderr)")
        Self.expectNoSecret([result.stdout, result.stderr], setup.secrets(extra: ["not-the-consumer-secret-4711"]))
        await setup.stop()
    }

    @Test func aPersonalTokenIsStoredFromStandardInput() async throws {
        let setup = try await Setup.start()
        let login = try setup.login(["--token", "--profile", "tok"])
        login.write("\(SandboxCredentials.demo.token)\n")
        let result = await login.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "Signed in as sandbox_user (profile tok)\n")
        #expect(try setup.store.profile(named: "tok")?.token == SandboxCredentials.demo.token)
        let whoami = try await Harness.executable(["auth", "whoami", "--profile", "tok"], environment: setup.environment)
        #expect(whoami.stdout.contains("mode: token"))
        let outcome = try await Harness.run(
            Harness.job(auth: "{mode: token, profile: tok}", requests: "  - name: me\n    path: /oauth/identity"),
            sandbox: setup.sandbox, environment: ["DISCOGS_BATCH_CONFIG_DIR": setup.configDirectory])
        #expect(outcome.records.first?["status"] as? Int == 200)
        // A refused token is reported, not stored, not printed.
        let bad = try setup.login(["--token", "--profile", "bad"])
        bad.write("not-a-valid-token-1234\n")
        let refused = await bad.finish()
        #expect(refused.status == 3)
        #expect(try setup.store.profile(named: "bad") == nil)
        Self.expectNoSecret(
            [result.stdout, result.stderr, whoami.stdout, whoami.stderr, refused.stdout, refused.stderr],
            setup.secrets(extra: [SandboxCredentials.demo.token, "not-a-valid-token-1234"]))
        await setup.stop()
    }

    @Test func anInsecureStoreIsRefusedWithTheChmodBeforeAnythingIsSent() async throws {
        let setup = try await Setup.start()
        try setup.store.save(.token(SandboxCredentials.demo.token, username: "sandbox_user", baseURL: setup.sandbox.baseURL), as: "tok")
        chmod(setup.store.path, 0o644)
        for arguments in [["auth", "list"], ["auth", "whoami", "--profile", "tok"], ["auth", "login", "--oob", "--base-url", setup.sandbox.baseURL]] {
            let result = try await Harness.executable(arguments, environment: setup.environment)
            #expect(result.status == 4, "\(arguments)")
            #expect(result.stderr.contains("chmod 600 \(setup.store.path)"), "\(arguments)")
            Self.expectNoSecret([result.stdout, result.stderr], setup.secrets() + [SandboxCredentials.demo.token])
        }
        #expect(setup.sandbox.stats().requests == 0)
        await setup.stop()
    }

    // MARK: - Helpers

    struct NoAuthorizeURL: Error, CustomStringConvertible {
        var stderr: String?
        var description: String { "no authorize URL on standard error: \(stderr ?? "(closed)")" }
    }

    /// Waits for the authorize URL on the login's standard error and returns its request token.
    static func authorizeToken(_ login: InteractiveProcess, base: String) async throws -> String {
        let text = await login.waitForStandardError(containing: "\n\n")
        guard let text, let range = text.range(of: "\(base)/oauth/authorize?oauth_token="),
            let token = text[range.upperBound...].prefix(while: { !$0.isWhitespace }).removingPercentEncoding
        else { throw NoAuthorizeURL(stderr: text) }
        return token
    }
}
