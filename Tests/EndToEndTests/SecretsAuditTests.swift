import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// Issue 8's secrets audit: every credential mode, form and source × every command × `--verbose` or not
/// × every outcome a request can have, through the real executable. No credential value, in any spelling
/// a leak could take (as is, percent-encoded in either case, form-encoded, JSON-escaped), may appear in
/// standard output, standard error, the output file or any state file. Only the job file itself (for the
/// literal case) and the 0600 credential store hold them.
///
/// The credentials carry `+`, `/` and `=`, so that each spelling differs from the others.
@Suite("Secrets audit", .timeLimit(.minutes(5)))
struct SecretsAuditTests {
    static let credentials = SandboxCredentials(
        token: "Audit+Tok/en=0042", consumerKey: "Audit/Consumer+Key=7", consumerSecret: "Audit=Consumer/Secret+9",
        accessToken: "Audit+Access/Token=3", accessTokenSecret: "Audit/Access=Secret+5", username: "sandbox_user")

    static let wrong = SandboxCredentials(
        token: "Wrong+Tok/en=0001", consumerKey: "Wrong/Consumer+Key=1", consumerSecret: "Wrong=Consumer/Secret+1",
        accessToken: "Wrong+Access/Token=1", accessTokenSecret: "Wrong/Access=Secret+1", username: "sandbox_user")

    static func environment(_ c: SandboxCredentials) -> [String: String] {
        [
            "DISCOGS_TOKEN": c.token, "DISCOGS_CONSUMER_KEY": c.consumerKey, "DISCOGS_CONSUMER_SECRET": c.consumerSecret,
            "DISCOGS_ACCESS_TOKEN": c.accessToken, "DISCOGS_ACCESS_TOKEN_SECRET": c.accessTokenSecret,
        ]
    }

    /// Where the credentials come from and how they are sent.
    enum Case: String, CaseIterable, CustomTestStringConvertible {
        case tokenHeader, tokenQuery, keySecretHeader, keySecretQuery, oauthPlaintext, oauthHMAC
        case tokenLiteralInJob, tokenProfile, oauthProfile

        var testDescription: String { rawValue }

        var auth: String {
            switch self {
            case .tokenHeader: "{mode: token}"
            case .tokenQuery: "{mode: token, send_as: query}"
            case .keySecretHeader: "{mode: key_secret}"
            case .keySecretQuery: "{mode: key_secret, send_as: query}"
            case .oauthPlaintext: "{mode: oauth}"
            case .oauthHMAC: "{mode: oauth, signature: hmac-sha1}"
            case .tokenLiteralInJob: #"{mode: token, token: "\#(SecretsAuditTests.credentials.token)"}"#
            case .tokenProfile: "{mode: token, profile: audit}"
            case .oauthProfile: "{mode: oauth, profile: audit}"
            }
        }

        var usesProfile: Bool { self == .tokenProfile || self == .oauthProfile }

        func profile(baseURL: String) -> CredentialProfile? {
            let c = SecretsAuditTests.credentials
            switch self {
            case .tokenProfile: return .token(c.token, username: c.username, baseURL: baseURL)
            case .oauthProfile:
                return .oauth(
                    consumerKey: c.consumerKey, consumerSecret: c.consumerSecret, accessToken: c.accessToken,
                    accessTokenSecret: c.accessTokenSecret, username: c.username, baseURL: baseURL)
            default: return nil
            }
        }
    }

    /// Every spelling of every value that must not be printed.
    static func spellings(_ secrets: [String]) -> [String] {
        secrets.flatMap { secret -> [String] in
            let encoded = OAuth1Signer.percentEncode(secret)
            var lower = ""
            var rest = Substring(encoded)
            while let c = rest.popFirst() {
                lower.append(c)
                if c == "%" { lower += rest.prefix(2).lowercased(); rest = rest.dropFirst(2) }
            }
            let form = encoded.replacingOccurrences(of: "%20", with: "+")
            let json = secret.replacingOccurrences(of: "/", with: "\\/")
            return [secret, encoded, lower, form, json]
        }
    }

    static let secrets = spellings([credentials, wrong].flatMap {
        [$0.token, $0.consumerKey, $0.consumerSecret, $0.accessToken, $0.accessTokenSecret]
    })

    static func expectNoSecret(_ text: String, _ place: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in secrets where text.contains(secret) {
            Issue.record("a credential (\(secret.count) characters) appears in \(place)", sourceLocation: sourceLocation)
        }
    }

    /// A job whose requests meet every outcome on the faulted sandbox: 200 (a record, and a paginated
    /// list in items mode), 404, 500 until retries are spent, 429 until max_wait, a timeout, a redirect
    /// to another host, and a cut-short JSON body that repeats what it was sent.
    static func job(_ auth: String, baseURL: String, echoURL: String) -> String {
        """
        version: 1
        name: audit
        base_url: \(baseURL)
        user_agent: "secrets-audit/1.0"
        auth: \(auth)
        concurrency: 4
        timeout: 1500ms
        retry: {max_attempts: 2, max_wait: 2s}
        requests:
          - name: release
            path: /releases/{id}
            foreach: {id: [1, 999999999, 5, 6, 8]}
          - name: wants
            path: /users/sandbox_user/wants
            query: {per_page: 5}
            paginate: {max_pages: 2}
            items: wants
          - name: redirect
            path: /_sandbox/redirect
            query: {to: "\(echoURL)"}
          - name: malformed
            path: /_sandbox/malformed
        """
    }

    static let faults = [
        SandboxFault(kind: .status(500), rate: 1, pathPrefix: "/releases/5"),
        // Well past the job's timeout, which is long enough for every other answer on a loaded machine
        // (at 400 ms, nine cases run at once under a full suite timed out answers that were not slow).
        SandboxFault(kind: .slow(.seconds(5)), rate: 1, pathPrefix: "/releases/6"),
        SandboxFault(kind: .retryAfter(seconds: 1), rate: 1, pathPrefix: "/releases/8"),
    ]

    @Test(arguments: Case.allCases)
    func noCredentialIsEverPrinted(_ audit: Case) async throws {
        var configuration = SandboxConfiguration()
        configuration.credentials = Self.credentials
        configuration.faults = Self.faults
        let sandbox = try await Sandbox.start(configuration)
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config").path
        var environment = Self.environment(Self.credentials)
        environment["DISCOGS_BATCH_CONFIG_DIR"] = config
        environment["DISCOGS_BATCH_STATE_DIR"] = folder.appendingPathComponent("state").path
        if let profile = audit.profile(baseURL: sandbox.baseURL) {
            try CredentialStore(directory: config).save(profile, as: "audit")
            // The profile is the only source: nothing in the environment.
            for key in Self.environment(Self.credentials).keys { environment[key] = "" }
        }
        let echo = sandbox.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost") + "/_sandbox/echo"
        let jobPath = folder.appendingPathComponent("job.yaml").path
        try Self.job(audit.auth, baseURL: sandbox.baseURL, echoURL: echo).write(toFile: jobPath, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("out.ndjson").path

        var printed: [(String, String)] = []
        func command(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Int32 {
            let result = try await Harness.executable(arguments, environment: environment.merging(extra) { $1 })
            printed.append(("stdout of \(arguments.prefix(2).joined(separator: " "))", result.stdout))
            printed.append(("stderr of \(arguments.prefix(2).joined(separator: " "))", result.stderr))
            return result.status
        }

        #expect(try await command(["validate", jobPath]) == 0)
        #expect(try await command(["plan", jobPath]) == 0)
        #expect(try await command(["plan", jobPath, "--json"]) == 0)

        // Every outcome in one run, verbose, into a file.
        #expect(try await command(["run", jobPath, "--output", output, "--verbose"]) == 1)
        let records = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        func record(_ key: String) -> [String: Any]? { records.first { $0["key"] as? String == key } }
        #expect(record("release/id=1")?["status"] as? Int == 200)
        #expect(record("release/id=999999999")?["status"] as? Int == 404)
        #expect(record("release/id=5")?["status"] as? Int == 500)
        #expect(record("release/id=5")?["attempts"] as? Int == 2)
        #expect(record("release/id=8")?["status"] as? Int == 429)
        #expect((record("release/id=6")?["error"] as? [String: Any])?["kind"] as? String == "timeout")
        #expect(records.filter { $0["request"] as? String == "wants" }.count == 10)
        let redirected = try #require(record("redirect")?["body"] as? [String: Any])
        #expect(redirected["authorization"] as? Bool == false)
        #expect(((redirected["query"] as? [String]) ?? []).allSatisfy { !["token", "key", "secret"].contains($0) })
        #expect(record("malformed")?["body"] is String)
        #expect((record("malformed")?["body"] as? String)?.contains("REDACTED") == true)

        // The same, records on standard output, not verbose; and in the built-in sandbox.
        #expect(try await command(["run", jobPath, "--output", "-"]) == 1)
        #expect(try await command(["run", jobPath, "--sandbox", "--output", "-", "--verbose"]) == 1)

        // Wrong credentials: refused at the first requests, exit 3, and the wrong values not printed either.
        if !audit.usesProfile, audit != .tokenLiteralInJob {
            #expect(try await command(["run", jobPath, "--output", "-", "--verbose"], environment: Self.environment(Self.wrong)) == 3)
        }
        // Nothing listens: connection refused, retried, reported.
        let refusedJob = folder.appendingPathComponent("refused.yaml").path
        try Self.job(audit.auth, baseURL: "http://127.0.0.1:1", echoURL: echo).write(toFile: refusedJob, atomically: true, encoding: .utf8)
        #expect(try await command(["run", refusedJob, "--output", "-", "--verbose"]) != 0)

        if audit.usesProfile {
            #expect(try await command(["auth", "whoami", "--profile", "audit"]) == 0)
            #expect(try await command(["auth", "whoami", jobPath]) == 0)
            #expect(try await command(["auth", "list"]) == 0)
            #expect(try await command(["auth", "logout", "--profile", "audit"]) == 0)
        }
        await sandbox.stop()

        for (place, text) in printed { Self.expectNoSecret(text, place) }
        // Every file the commands left, but the job file (which holds the literal token by design) and
        // the credential store (0600, the one place meant to hold them).
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
        var checked = 0
        for file in files where file != "job.yaml" && file != "refused.yaml" && !file.hasPrefix("config") {
            let path = folder.appendingPathComponent(file).path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            Self.expectNoSecret(String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self), file)
            checked += 1
        }
        #expect(checked >= 2)  // the output file and the shared budget's state at least
    }
}
