import ArgumentParser
import DiscogsBatch

struct AuthLogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Remove a stored profile.",
        discussion: "Exits 2 when there is no such profile. The access token itself stays valid at Discogs: revoke it in your Discogs settings (Applications) if it may have leaked."
    )

    @Option(help: ArgumentHelp("The profile to remove.", valueName: "NAME"))
    var profile: String

    func run() throws {
        let store = try AuthCommand.store()
        let removed: Bool
        do {
            removed = try store.remove(profile)
        } catch {
            throw AuthCommand.fail(error, exitCode: 4)
        }
        guard removed else {
            throw AuthCommand.fail("no profile \"\(profile)\" in \(store.path)", exitCode: 2)
        }
        AuthCommand.output(["Signed out: profile \(profile) removed from \(store.path)"])
    }
}
