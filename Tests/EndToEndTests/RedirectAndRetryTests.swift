import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// Redirects keep credentials only within one origin; POST is not repeated after the server may have acted.
@Suite("Redirects and non-idempotent retries", .timeLimit(.minutes(2)))
struct RedirectAndRetryTests {
    func echo(_ outcome: Harness.Outcome) throws -> [String: Any] {
        let record = try #require(outcome.records.first)
        return try #require(record["body"] as? [String: Any])
    }

    @Test(arguments: ["{mode: token}", "{mode: token, send_as: query}", "{mode: oauth}"])
    func aRedirectToAnotherOriginArrivesWithoutCredentials(_ auth: String) async throws {
        let first = try await Sandbox.start(SandboxConfiguration())
        let second = try await Sandbox.start(SandboxConfiguration())
        let target = "\(second.baseURL)/_sandbox/echo"
        let outcome = try await Harness.run(
            Harness.job(auth: auth, requests: """
                  - name: hop
                    path: /_sandbox/redirect
                    query: {to: "\(target)"}
                """), sandbox: first)
        await first.stop()
        await second.stop()
        let echo = try echo(outcome)
        #expect(outcome.records.first?["status"] as? Int == 200)
        #expect(echo["authorization"] as? Bool == false)
        #expect((echo["query"] as? [String])?.contains("token") == false)
        for secret in Harness.secrets { #expect(!outcome.output.contains(secret)) }
    }

    @Test func aRedirectWithinTheOriginKeepsCredentials() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration())
        let outcome = try await Harness.run(
            Harness.job(auth: "{mode: token}", requests: """
                  - name: hop
                    path: /_sandbox/redirect
                    query: {to: /_sandbox/echo, status: 307}
                """), sandbox: sandbox)
        await sandbox.stop()
        #expect(try echo(outcome)["authorization"] as? Bool == true)
    }

    @Test func aPostHitBy503IsNotRepeated() async throws {
        let sandbox = try await Sandbox.start(
            SandboxConfiguration(rateLimited: false, faults: [try SandboxFault.parse("status=503:1@/users")]))
        let outcome = try await Harness.run(
            Harness.job(auth: "{mode: token}", requests: """
                  - name: add
                    method: POST
                    path: /users/sandbox_user/collection/folders/1/releases/{id}
                    foreach: {id: [1, 2, 3]}
                """), sandbox: sandbox)
        let stats = sandbox.stats()
        await sandbox.stop()
        #expect(outcome.summary.exitCode == 1)
        #expect(stats.requests == 3)
        #expect(stats.count(status: 503) == 3)
        #expect(outcome.records.allSatisfy { $0["status"] as? Int == 503 && $0["attempts"] as? Int == 1 })
        #expect(outcome.summary.retries == 0)
    }

    @Test func aPostIsSentOnceWhenItSucceeds() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        let outcome = try await Harness.run(
            Harness.job(auth: "{mode: token}", requests: """
                  - name: add
                    method: POST
                    path: /users/sandbox_user/collection/folders/1/releases/{id}
                    foreach: {id: [1, 2]}
                """), sandbox: sandbox)
        await sandbox.stop()
        #expect(outcome.summary.exitCode == 0)
        #expect(outcome.records.map { $0["status"] as? Int } == [201, 201])
    }

    @Test func aGetHitBy503IsRetriedUntilItSucceeds() async throws {
        let sandbox = try await Sandbox.start(
            SandboxConfiguration(seed: 3, rateLimited: false, faults: [try SandboxFault.parse("status=503:0.5")]))
        let outcome = try await Harness.run(
            Harness.job(auth: "{mode: token}", requests: """
                  - name: r
                    path: /releases/{id}
                    foreach: {id: {range: {from: 1, to: 20}}}
                """).replacingOccurrences(of: "max_attempts: 6", with: "max_attempts: 30"), sandbox: sandbox)
        let stats = sandbox.stats()
        await sandbox.stop()
        #expect(outcome.records.allSatisfy { $0["status"] as? Int == 200 })
        #expect(stats.count(status: 503) == outcome.summary.retries)
        #expect(outcome.records.contains { ($0["attempts"] as? Int ?? 0) > 1 })
    }
}
