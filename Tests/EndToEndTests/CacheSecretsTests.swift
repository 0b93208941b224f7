import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// No credential, in any spelling (as written, percent-encoded in either case, form-encoded,
/// JSON-escaped), is in the cache's files after runs in every credential mode and form: query
/// credentials reappear in the pagination `urls` of list bodies, which are stored masked.
@Suite("Response cache secrets", .timeLimit(.minutes(5)))
struct CacheSecretsTests {
    static let cases: [SecretsAuditTests.Case] = [
        .tokenHeader, .tokenQuery, .keySecretHeader, .keySecretQuery, .oauthPlaintext, .oauthHMAC, .tokenLiteralInJob,
    ]

    @Test(arguments: cases)
    func noCredentialInTheCacheFiles(_ audit: SecretsAuditTests.Case) async throws {
        var configuration = SandboxConfiguration(rateLimited: false)
        configuration.credentials = SecretsAuditTests.credentials
        let sandbox = try await Sandbox.start(configuration)
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cacheFolder = folder.appendingPathComponent("cache")
        let yaml = CacheTests.job(cachePath: cacheFolder.appendingPathComponent("cache.sqlite").path, auth: audit.auth, requests: """
              - name: release
                path: /releases/{id}
                foreach: {id: [1, 5]}
              - name: wants
                path: /users/sandbox_user/wants
                query: {per_page: 5}
                paginate: {max_pages: 3}
              - name: wants-items
                path: /users/sandbox_user/wants
                query: {per_page: 7}
                paginate: {max_pages: 2}
                items: wants
            """)
        let environment = SecretsAuditTests.environment(SecretsAuditTests.credentials)
        let first = try await Harness.run(yaml, sandbox: sandbox, environment: environment)
        let second = try await Harness.run(yaml, sandbox: sandbox, environment: environment)
        let refreshed = try await Harness.run(yaml, sandbox: sandbox, environment: environment, cacheMode: .refresh)
        await sandbox.stop()
        #expect(first.summary.exitCode == 0)
        #expect(first.summary.sent == 7)
        #expect(second.summary.cached == 7)
        #expect(refreshed.summary.sent == 7)
        if audit == .tokenQuery || audit == .keySecretQuery {
            // The bodies did carry the credential in their pagination urls: masked before storing.
            #expect(second.output.contains("REDACTED"))
        }

        let files = try FileManager.default.contentsOfDirectory(atPath: cacheFolder.path)
        #expect(files.contains("cache.sqlite"))
        var bytes = 0
        for file in files {
            let data = try Data(contentsOf: cacheFolder.appendingPathComponent(file))
            bytes += data.count
            for secret in SecretsAuditTests.secrets where data.range(of: Data(secret.utf8)) != nil {
                Issue.record("a credential (\(secret.count) characters) appears in \(file)")
            }
        }
        #expect(bytes > 10_000)
    }
}
