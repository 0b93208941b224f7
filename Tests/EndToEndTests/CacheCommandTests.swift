import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// `discogs-batch cache stats | prune | clear` on a cache a run filled.
@Suite("Cache command", .timeLimit(.minutes(3)), .enabled(if: CommandLineTests.binaryExists))
struct CacheCommandTests {
    @Test func statsPruneAndClear() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cache.sqlite").path
        let job = folder.appendingPathComponent("job.yaml").path
        try CacheTests.job(cachePath: path, requests: CacheTests.requests).write(toFile: job, atomically: true, encoding: .utf8)
        _ = try await Harness.run(CacheTests.job(cachePath: path, requests: CacheTests.requests), sandbox: sandbox)
        await sandbox.stop()

        let stats = try await Harness.executable(["cache", "stats", "--job", job], environment: Harness.environment)
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout.contains("cache: \(path)"))
        #expect(stats.stdout.contains("  6 entries, "))
        #expect(stats.stdout.contains("  release: 3 entries, "))
        #expect(stats.stdout.contains("  wants: 3 entries, "))
        #expect(!stats.stdout.contains("identity"))

        let kept = try await Harness.executable(["cache", "prune", "--path", path, "--older-than", "1h"])
        #expect(kept.stdout == "\(path): 0 entries older than 1h deleted\n", "\(kept.stderr)")
        let pruned = try await Harness.executable(["cache", "prune", "--path", path, "--older-than", "0s"])
        #expect(pruned.stdout == "\(path): 6 entries older than 0s deleted\n", "\(pruned.stderr)")
        #expect(try await Harness.executable(["cache", "stats", "--path", path]).stdout.contains("  0 entries, "))

        // A damaged file: stats says so (exit 1) and names the fix; clear fixes it.
        try Data(repeating: 0x43, count: 5000).write(to: URL(fileURLWithPath: path))
        let damaged = try await Harness.executable(["cache", "stats", "--path", path])
        #expect(damaged.status == 1)
        #expect(damaged.stderr.contains("cache clear"), "\(damaged.stderr)")
        let cleared = try await Harness.executable(["cache", "clear", "--path", path])
        #expect(cleared.status == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try await Harness.executable(["cache", "stats", "--path", path]).stdout.contains("  0 entries, "))

        let usage = try await Harness.executable(["cache", "prune", "--path", path, "--older-than", "soon"])
        #expect(usage.status == 2)
        let both = try await Harness.executable(["run", job, "--refresh", "--no-cache"])
        #expect(both.status == 2)
    }
}
