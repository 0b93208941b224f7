import ArgumentParser
import DiscogsBatch

struct CacheStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Entries, bytes, the oldest answer, and entries per request name.")

    @OptionGroup var location: CacheLocation

    func run() async throws {
        let cache = try location.open()
        do {
            var out = StandardOutput()
            out.line(try await cache.stats().text)
            out.flush()
        } catch {
            await cache.close()
            Console.error("discogs-batch: error: \(ResponseCache.explain(error, path: cache.path)); discogs-batch cache clear starts it anew")
            throw ExitCode(1)
        }
        await cache.close()
    }
}
