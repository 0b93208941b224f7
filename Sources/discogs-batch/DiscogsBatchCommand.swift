import ArgumentParser
import DiscogsBatch
import Foundation

@main
struct DiscogsBatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discogs-batch",
        abstract: "Run batches of Discogs API requests declared in YAML job files.",
        discussion: """
            Job file format: schemas/job.schema.json and the README.

            Exit codes:
              0    all requests succeeded
              1    finished, some requests failed (their lines are written)
              2    usage or job file invalid, nothing sent
              3    credentials rejected, stopped early
              4    output cannot be written, or exists without --resume/--overwrite
              75   stopped early by --deadline or --max-requests, resumable
              130  interrupted by SIGINT, resumable
              143  interrupted by SIGTERM, resumable
            """,
        version: DiscogsBatchVersion.current,
        subcommands: [RunCommand.self, ValidateCommand.self, PlanCommand.self, AuthCommand.self, SandboxCommand.self, CacheCommand.self]
    )

    /// ArgumentParser's own entry point, except that usage errors exit 2 (SPEC §4), not 64.
    static func main() async {
        // A parent may start us with SIGINT/SIGTERM blocked (test runners, some supervisors do);
        // blocked, they would never reach the handlers that stop a run cleanly.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                Console.error(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
