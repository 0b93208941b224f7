import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// The run against the sandbox over loopback, asserting on the records and on the sandbox's own stats.
@Suite("Run against the sandbox", .timeLimit(.minutes(3)))
struct RunTests {
    static let modes = [
        "{mode: none}", "{mode: token}", "{mode: token, send_as: query}", "{mode: key_secret}",
        "{mode: key_secret, send_as: query}", "{mode: oauth}", "{mode: oauth, signature: hmac-sha1}",
    ]

    @Test(arguments: modes)
    func everyModeAndForm(_ auth: String) async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration())
        let user = auth.contains("token") || auth.contains("oauth")
        let identity = user ? "\n  - name: identity\n    path: /oauth/identity\n" : ""
        let outcome = try await Harness.run(
            Harness.job(auth: auth, requests: """
                  - name: release
                    path: /releases/{id}
                    foreach: {id: [1, 249504, 17]}
                  - name: wants
                    path: /users/sandbox_user/wants
                    query: {per_page: 50}
                    paginate: {max_pages: 2}
                    items: wants
                """ + identity), sandbox: sandbox)
        let stats = sandbox.stats()
        await sandbox.stop()

        #expect(outcome.summary.exitCode == 0)
        #expect(outcome.summary.failed == 0)
        #expect(outcome.records.allSatisfy { $0["status"] as? Int == 200 })
        #expect(outcome.records.filter { $0["request"] as? String == "wants" }.count == 100)
        #expect(stats.authFailures == 0)
        #expect(stats.requests == outcome.summary.sent)
        let keys = outcome.records.compactMap { $0["key"] as? String }
        #expect(Set(keys).count == keys.count)
        for secret in Harness.secrets { #expect(!outcome.output.contains(secret), "secret in output") }
        if auth.contains("query") {
            #expect(outcome.records.allSatisfy { ($0["url"] as? String)?.contains("REDACTED") == true })
        }
        let release = try #require(outcome.records.first { $0["key"] as? String == "release/id=249504" })
        let images = ((release["body"] as? [String: Any])?["images"] as? [[String: Any]]) ?? []
        #expect(images.isEmpty || images.allSatisfy { (($0["uri"] as? String) ?? "").isEmpty == (auth == "{mode: none}") })
        #expect(try Harness.schemaProblems(outcome.lines) == nil)
    }

    @Test func wrongCredentialsStopEarlyWithExit3() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration())
        var env = Harness.environment
        env["DISCOGS_TOKEN"] = "not-the-right-token"
        let outcome = try await Harness.run(
            Harness.job(auth: "{mode: token}", requests: """
                  - name: release
                    path: /releases/{id}
                    foreach: {id: {range: {from: 1, to: 50}}}
                """), sandbox: sandbox, environment: env, concurrency: 1)
        let stats = sandbox.stats()
        await sandbox.stop()
        #expect(outcome.summary.exitCode == 3)
        #expect(outcome.summary.credentialsRejected?.contains("first token request") == true)
        #expect(outcome.summary.credentialsRejected?.contains("personal access token") == true)
        #expect(!(outcome.summary.credentialsRejected ?? "").contains("not-the-right-token"))
        #expect(stats.requests == 1)
        #expect(outcome.records.count == 1)
        #expect((outcome.records.first?["error"] as? [String: Any])?["kind"] as? String == "auth")
    }

    @Test func plainHTTPCredentialsToAnotherHostAreRefusedBeforeSending() throws {
        let job = try JobLoader.withCredentialStore(environment: Harness.environment).load(
            bytes: Array(Harness.job(auth: "{mode: token}", requests: "  - {name: r, path: /releases/1}").utf8),
            file: "job.yaml"
        ).get()
        var options = RunOptions()
        options.baseURL = "http://api.example.org"
        options.outputPath = "-"
        let transport = RecordingTransport()
        #expect(throws: RunError.self) {
            _ = try JobRunner(job: job, options: options, transport: transport, clock: ContinuousClock(), logger: .init(label: "t"))
        }
        #expect(transport.count == 0)
    }

    @Test func pacingKeepsEveryWindowUnderTheLimit() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(window: .seconds(2), limitHigh: 20))
        let outcome = try await Harness.run(
            Harness.job(auth: "{mode: token}", rate: "{limit: 20, window: 2s}", concurrency: 4, requests: """
                  - name: release
                    path: /releases/{id}
                    foreach: {id: {range: {from: 1, to: 100}}}
                """), sandbox: sandbox)
        let stats = sandbox.stats()
        await sandbox.stop()
        #expect(outcome.summary.exitCode == 0)
        #expect(outcome.records.count == 100)
        #expect(stats.rateLimited == 0)
        #expect((stats.maxInWindow["high"] ?? 0) <= 20)
        #expect((stats.maxInWindow["high"] ?? 0) >= 15)
    }

    @Test func anotherClientEatingTheBudgetIsAbsorbed() async throws {
        let sandbox = try await Sandbox.start(
            SandboxConfiguration(window: .seconds(2), limitHigh: 20, faults: [try SandboxFault.parse("steal=6")]))
        let outcome = try await Harness.run(
            Harness.job(auth: "{mode: token}", rate: "{limit: 20, window: 2s}", concurrency: 4, requests: """
                  - name: release
                    path: /releases/{id}
                    foreach: {id: {range: {from: 1, to: 60}}}
                """), sandbox: sandbox)
        let stats = sandbox.stats()
        await sandbox.stop()
        #expect(outcome.summary.exitCode == 0)
        #expect(outcome.records.allSatisfy { $0["status"] as? Int == 200 })
        #expect(stats.rateLimited == 0)
        #expect((stats.maxInWindow["high"] ?? 0) >= 12)
    }

    @Test func faultsAreRetriedUntilEveryGetSucceeds() async throws {
        let faults = try ["status=503:0.15", "status=500:0.05", "reset:0.05", "truncate:0.05", "retry-after=1:0.05"]
            .map(SandboxFault.parse)
        let sandbox = try await Sandbox.start(SandboxConfiguration(seed: 7, rateLimited: false, faults: faults))
        let outcome = try await Harness.run(
            Harness.job(auth: "{mode: token}", rate: "{limit: 1000, window: 1s}", requests: """
                  - name: release
                    path: /releases/{id}
                    foreach: {id: {range: {from: 1, to: 60}}}
                """).replacingOccurrences(of: "max_attempts: 6", with: "max_attempts: 12"), sandbox: sandbox)
        let stats = sandbox.stats()
        await sandbox.stop()
        #expect(outcome.summary.exitCode == 0)
        #expect(outcome.records.count == 60)
        #expect(outcome.records.filter { $0["status"] as? Int != 200 }.map { "\($0["key"] ?? "") \($0["error"] ?? "")" } == [])
        #expect(outcome.summary.retries > 0)
        #expect(stats.requests > 60)
        #expect(try Harness.schemaProblems(outcome.lines) == nil)
    }

    @Test func shortPagesOfAWantlistGiveEveryItemOnce() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        let outcome = try await Harness.run(
            Harness.job(auth: "{mode: token}", requests: """
                  - name: wants
                    path: /users/sandbox_user/wants
                    query: {per_page: 23}
                    paginate: true
                    items: wants
                """), sandbox: sandbox)
        await sandbox.stop()
        let first = try #require(outcome.records.first)
        let pages = try #require(first["pages"] as? Int)
        let ids = outcome.records.compactMap { ($0["item"] as? [String: Any])?["id"] as? Int }
        #expect(outcome.summary.exitCode == 0)
        #expect(ids.count == 327)
        #expect(Set(ids).count == ids.count)
        #expect(pages == (327 + 22) / 23)
        #expect(Set(outcome.records.compactMap { $0["page"] as? Int }) == Set(1...pages))
        #expect(outcome.records.allSatisfy { $0["body"] == nil && $0["item_index"] != nil })
        #expect(try Harness.schemaProblems(outcome.lines) == nil)
    }
}

/// Counts sends and answers nothing: for tests that must prove nothing was sent.
final class RecordingTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var sends = 0

    var count: Int { lock.withLock { sends } }

    func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        lock.withLock { sends += 1 }
        throw TransportError(.connectionRefused, "recording transport")
    }

    func shutdown() async {}
}
