import ArgumentParser
import DiscogsBatch

struct CachePruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Delete entries whose answer is older than --older-than (default 30d), then give the space back.")

    @OptionGroup var location: CacheLocation

    @Option(help: ArgumentHelp("Age of the answers to delete, e.g. 30d or 12h.", valueName: "DURATION"))
    var olderThan: String = "30d"

    func validate() throws {
        if Duration(parsing: olderThan) == nil {
            throw ValidationError("--older-than: expected a duration such as 12h or 30d, found \"\(olderThan)\"")
        }
    }

    func run() async throws {
        let cache = try location.open()
        do {
            let removed = try await cache.prune(olderThan: Duration(parsing: olderThan) ?? .seconds(30 * 86_400))
            await cache.close()
            var out = StandardOutput()
            out.line("\(cache.path): \(removed) entries older than \(olderThan) deleted")
            out.flush()
        } catch {
            await cache.close()
            Console.error("discogs-batch: error: \(ResponseCache.explain(error, path: cache.path)); discogs-batch cache clear starts it anew")
            throw ExitCode(1)
        }
    }
}
