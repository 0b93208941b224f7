import ArgumentParser
import DiscogsBatch

@main
struct DiscogsBatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discogs-batch",
        abstract: "Run batches of Discogs API requests declared in YAML job files.",
        subcommands: [SandboxCommand.self]
    )
}
