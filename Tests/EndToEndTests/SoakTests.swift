import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// Every fault of the sandbox at once over 5,000 requests, items and pagination included: every
/// planned request and every item comes out exactly once, a request fails only after its retries
/// ran out, and the exit code says so.
@Suite("Fault soak") struct SoakTests {
    @Test func fiveThousandRequestsUnderEveryFaultAtOnce() async throws {
        let faults = try [
            "status=503:0.05", "reset:0.02", "truncate:0.02", "slow=3s:0.02", "retry-after=1:0.002", "steal=100",
        ].map(SandboxFault.parse)
        let sandbox = try await Sandbox.start(SandboxConfiguration(seed: 11, window: .seconds(1), limitHigh: 600, faults: faults))
        let releases = 4_836, wantPages = 164  // 327 wants, 2 a page: 5,000 requests in all
        let job = Harness.job(auth: "{mode: token}", rate: "{limit: 600, window: 1s}", concurrency: 8, requests: """
              - name: release
                path: /releases/{id}
                foreach: {id: {range: {from: 1, to: \(releases)}}}
              - name: wants
                path: /users/sandbox_user/wants
                query: {per_page: 2}
                paginate: true
                items: wants
            """)
            .replacingOccurrences(of: "timeout: 5s", with: "timeout: 1s")
            .replacingOccurrences(of: "retry: {max_attempts: 6, max_wait: 30s}", with: "retry: {max_attempts: 8, max_wait: 5m}")
        let outcome = try await Harness.run(job, sandbox: sandbox)
        let stats = sandbox.stats()
        await sandbox.stop()

        let failed = outcome.records.filter { $0["status"] as? Int != 200 }
        #expect(failed.allSatisfy { $0["attempts"] as? Int == 8 }, "\(failed.prefix(3))")
        #expect(outcome.summary.exitCode == (failed.isEmpty ? 0 : 1))
        #expect(outcome.summary.retries > 300)  // the faults did fire
        #expect(stats.requests > 5_300)

        let releaseKeys = outcome.records.compactMap { $0["request"] as? String == "release" ? $0["key"] as? String : nil }
        #expect(releaseKeys.count == releases && Set(releaseKeys).count == releases)
        let wants = outcome.records.filter { $0["request"] as? String == "wants" }
        let ids = wants.compactMap { ($0["item"] as? [String: Any])?["id"] as? Int }
        let lostPages = wants.filter { $0["item_index"] == nil }.count  // pages that failed for good
        #expect(Set(ids).count == ids.count)  // no item twice
        #expect(lostPages == 0 ? ids.count == 327 : ids.count >= 327 - 2 * lostPages)
        #expect(Set(wants.compactMap { $0["page"] as? Int }) == Set(1...wantPages))
        #expect(try Harness.schemaProblems(outcome.lines) == nil)
    }
}
