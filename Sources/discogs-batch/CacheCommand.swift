import ArgumentParser
import DiscogsBatch
import Foundation
import Logging

struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect, prune or clear the response cache (a SQLite file).",
        discussion: """
            The cache is $XDG_CACHE_HOME/discogs-batch/cache.sqlite (default ~/.cache/...), or the \
            cache.path of the job given with --job, or the file given with --path.
            """,
        subcommands: [CacheStatsCommand.self, CachePruneCommand.self, CacheClearCommand.self]
    )
}

/// `--job JOB.yaml | --path FILE`: which cache file a `cache` subcommand works on.
struct CacheLocation: ParsableArguments {
    @Option(help: ArgumentHelp("Use the cache of this job (its cache.path, else the default).", valueName: "JOB.yaml"))
    var job: String?

    @Option(help: ArgumentHelp("Use this cache file.", valueName: "FILE"))
    var path: String?

    func validate() throws {
        if job != nil && path != nil { throw ValidationError("give either --job or --path, not both") }
    }

    /// The cache, or exit 2 after printing the job's diagnostics when the job is invalid.
    func open() throws -> ResponseCache {
        var file = path ?? CacheSettings.defaultPath(environment: ProcessInfo.processInfo.environment)
        if let job {
            let result = JobLoader.withCredentialStore().load(path: job)
            Console.report(result)
            guard let loaded = result.job else { throw ExitCode(2) }
            if let own = loaded.cache?.path { file = own }
        }
        return ResponseCache(path: file, logger: Logger(label: "discogs-batch"))
    }
}
