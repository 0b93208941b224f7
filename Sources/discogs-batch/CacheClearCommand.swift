import ArgumentParser
import DiscogsBatch

struct CacheClearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear", abstract: "Delete the cache file, whatever state it is in (the fix for a damaged cache).")

    @OptionGroup var location: CacheLocation

    func run() async throws {
        let cache = try location.open()
        do {
            try await cache.clear()
        } catch {
            Console.error("discogs-batch: error: \(error)")
            throw ExitCode(1)
        }
        var out = StandardOutput()
        out.line("\(cache.path): cleared")
        out.flush()
    }
}
