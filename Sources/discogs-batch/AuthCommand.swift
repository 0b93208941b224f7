import ArgumentParser
import DiscogsBatch
import Foundation

/// `auth`: sign in once (OAuth 1.0a or a personal token), store the result in a 0600 profile, and
/// let jobs say `auth: {mode: oauth, profile: NAME}`.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Sign in to Discogs and manage stored credential profiles.",
        discussion: """
            Profiles live in $DISCOGS_BATCH_CONFIG_DIR/credentials.json, else \
            $XDG_CONFIG_HOME/discogs-batch/credentials.json, else ~/.config/discogs-batch/credentials.json \
            (directory 0700, file 0600). No command ever prints a secret: stored values are shown masked.

            Exit codes: 0 done · 1 no answer or an unexpected one · 2 usage, or an unknown profile · \
            3 the sign-in or the credentials were refused · 4 the store cannot be read or written \
            (insecure permissions, corrupt, I/O).
            """,
        subcommands: [
            AuthLoginCommand.self, AuthWhoamiCommand.self, AuthListCommand.self, AuthLogoutCommand.self,
        ]
    )

    /// The store the process environment locates, or exit 4 with the reason.
    static func store() throws -> CredentialStore {
        do {
            return try CredentialStore(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw fail(error, exitCode: 4)
        }
    }

    /// Prints `discogs-batch: error: MESSAGE` (with `secrets` masked) and returns the exit to throw.
    static func fail(_ message: Any, exitCode: Int32, secrets: [String] = []) -> ExitCode {
        let text = Redactor(secrets: secrets).redact("\(message)")
        Console.error("discogs-batch: error: \(text)")
        return ExitCode(exitCode)
    }

    /// Writes lines to standard output at once.
    static func output(_ lines: [String]) {
        var out = StandardOutput()
        for line in lines { out.line(line) }
        out.flush()
    }
}
