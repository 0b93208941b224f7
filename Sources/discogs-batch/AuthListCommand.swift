import ArgumentParser
import DiscogsBatch

struct AuthListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List stored profiles, with every credential value masked.",
        discussion: "Identifiers (consumer key, access token) show at most their first 4 characters; secrets show none."
    )

    func run() throws {
        let store = try AuthCommand.store()
        let profiles: [String: CredentialProfile]
        do {
            profiles = try store.load()
        } catch {
            throw AuthCommand.fail(error, exitCode: 4)
        }
        guard !profiles.isEmpty else {
            AuthCommand.output(["No profiles in \(store.path); sign in with: discogs-batch auth login"])
            return
        }
        var lines = ["Profiles in \(store.path):"]
        for (name, profile) in profiles.sorted(by: { $0.key < $1.key }) {
            lines.append("\(name)")
            lines.append("  mode: \(profile.mode.rawValue)")
            lines.append("  username: \(profile.username ?? "(unknown)")")
            lines.append("  base URL: \(profile.baseURL)")
            lines.append("  created: \(profile.created)")
            for field in profile.maskedFields { lines.append("  \(field.name): \(field.value)") }
        }
        AuthCommand.output(lines)
    }
}
