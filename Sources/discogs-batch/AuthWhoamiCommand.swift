import ArgumentParser
import DiscogsBatch
import Foundation

struct AuthWhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show who a profile's or a job's credentials act as (a call to /oauth/identity).",
        discussion: """
            Prints username, profile, mode, tier and base URL on standard output. Without arguments the \
            profile "default" is used. Exits 3 when the server refuses the credentials.
            """
    )

    @Option(help: ArgumentHelp("A stored profile.", valueName: "NAME"))
    var profile: String?

    @Argument(help: ArgumentHelp("A job file whose credentials to check.", valueName: "JOB.yaml"))
    var job: String?

    @Option(help: ArgumentHelp("User-Agent to send (default: the job's, or discogs-batch/VERSION).", valueName: "UA"))
    var userAgent: String?

    func validate() throws {
        if profile != nil && job != nil { throw ValidationError("give either --profile or a job file, not both") }
    }

    func run() async throws {
        let credentials: Credentials
        let baseURL: String
        var agent = userAgent ?? Job.defaultUserAgent
        var profileName: String?
        if let job {
            let result = JobLoader.withCredentialStore().load(path: job)
            Console.report(result)
            guard let loaded = result.job else { throw ExitCode(2) }
            do {
                credentials = try Credentials(job: loaded.auth, environment: ProcessInfo.processInfo.environment)
            } catch {
                throw AuthCommand.fail("\(job): \(error)", exitCode: 2, secrets: loaded.auth.secrets)
            }
            baseURL = loaded.baseURL
            if userAgent == nil { agent = loaded.userAgent }
            profileName = loaded.auth.profile
        } else {
            let name = profile ?? "default"
            let store = try AuthCommand.store()
            let stored: CredentialProfile?
            do {
                stored = try store.profile(named: name)
            } catch {
                throw AuthCommand.fail(error, exitCode: 4)
            }
            guard let stored else {
                throw AuthCommand.fail(
                    "no profile \"\(name)\" in \(store.path); sign in with: discogs-batch auth login --profile \(name)",
                    exitCode: 2)
            }
            credentials = stored.credentials()
            baseURL = stored.baseURL
            profileName = name
        }
        switch credentials {
        case .token, .oauth: break
        case .none, .keySecret:
            throw AuthCommand.fail(
                "\(credentials.mode) credentials act as no user; /oauth/identity needs mode token or oauth", exitCode: 2)
        }
        if let refusal = TransportSecurity.credentialsRefusal(to: baseURL) {
            throw AuthCommand.fail(refusal, exitCode: 2)
        }
        let transport = try HTTPClientTransport.forCommand(connectionsPerHost: 1)
        let identity: OAuthLogin.Identity
        do {
            identity = try await OAuthLogin.identity(
                credentials, baseURL: baseURL, userAgent: agent, transport: transport)
        } catch {
            await transport.shutdown()
            throw AuthCommand.fail(error, exitCode: error.exitCode, secrets: credentials.secrets)
        }
        await transport.shutdown()
        let limit = identity.rateLimit ?? credentials.tier.limit
        var lines = ["username: \(identity.username)"]
        if let profileName { lines.append("profile: \(profileName)") }
        lines += [
            "mode: \(credentials.mode)",
            "tier: \(credentials.tier.rawValue) (\(limit) requests per minute)",
            "base URL: \(baseURL)",
        ]
        AuthCommand.output(lines)
    }
}
