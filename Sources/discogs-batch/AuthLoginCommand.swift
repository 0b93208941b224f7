import ArgumentParser
import DiscogsBatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct AuthLoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in with OAuth 1.0a (or store a personal token) and save it as a profile.",
        discussion: """
            OAuth: gets a request token, prints the authorize URL on standard error (and opens it with \
            --open), waits for the browser's redirect to a one-shot listener on 127.0.0.1:<random \
            port>/callback (or, with --oob, for the verifier typed at the prompt), exchanges it for the \
            access token within the 15-minute limit, checks /oauth/identity and stores the profile. The \
            consumer key and secret come from --consumer-key/--consumer-secret or DISCOGS_CONSUMER_KEY/\
            DISCOGS_CONSUMER_SECRET (prefer the environment: flags end up in shell history).

            --token stores a personal access token read from standard input instead (never from a flag).

            Standard output gets one line, "Signed in as USERNAME (profile NAME)"; instructions, the \
            authorize URL and prompts go to standard error. No secret is ever printed.
            """
    )

    @Option(help: ArgumentHelp("Name to store the sign-in under.", valueName: "NAME"))
    var profile = "default"

    @Option(help: ArgumentHelp("Application consumer key (default: $DISCOGS_CONSUMER_KEY).", valueName: "K"))
    var consumerKey: String?

    @Option(help: ArgumentHelp("Application consumer secret (default: $DISCOGS_CONSUMER_SECRET).", valueName: "S"))
    var consumerSecret: String?

    @Option(name: .customLong("base-url"), help: ArgumentHelp("API base URL.", valueName: "URL"))
    var baseURL = Job.defaultBaseURL

    @Option(name: .customLong("authorize-url"), help: ArgumentHelp(
        "Authorize page (default: https://www.discogs.com/oauth/authorize for the Discogs API, else BASE/oauth/authorize).",
        valueName: "URL"))
    var authorizeURL: String?

    @Option(help: ArgumentHelp("OAuth signature method: plaintext or hmac-sha1.", valueName: "METHOD"))
    var signature = "plaintext"

    @Flag(help: "Out of band: read the verifier shown by the authorize page from standard input.")
    var oob = false

    @Flag(help: "Open the authorize URL in a browser (xdg-open or open).")
    var open = false

    @Flag(help: "Store a personal access token read from standard input instead of signing in with OAuth.")
    var token = false

    @Option(help: ArgumentHelp("User-Agent to send (default: discogs-batch/VERSION).", valueName: "UA"))
    var userAgent = Job.defaultUserAgent

    func validate() throws {
        guard CredentialStore.isValidProfileName(profile) else {
            throw ValidationError("--profile: expected 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'")
        }
        guard SignatureMethod(rawValue: signature) != nil else {
            throw ValidationError("--signature: expected plaintext or hmac-sha1")
        }
        guard let url = URLComponents(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host?.isEmpty == false
        else { throw ValidationError("--base-url: expected an http or https URL such as https://api.discogs.com") }
        if let refusal = TransportSecurity.credentialsRefusal(to: baseURL) {
            throw ValidationError("--base-url: \(refusal)")
        }
        if token && (oob || open || consumerKey != nil || consumerSecret != nil || authorizeURL != nil) {
            throw ValidationError("--token stores a personal token; it takes none of --oob, --open, --consumer-key, --consumer-secret, --authorize-url")
        }
    }

    func run() async throws {
        let store = try AuthCommand.store()
        do {
            _ = try store.load()  // refuse an insecure or corrupt store before anything is sent
        } catch {
            throw AuthCommand.fail(error, exitCode: 4)
        }
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let transport = try HTTPClientTransport.forCommand(connectionsPerHost: 1)
        let outcome: Result<(CredentialProfile, String), ExitCode>
        if token {
            outcome = await storeToken(base: base, transport: transport)
        } else {
            outcome = await signIn(base: base, transport: transport)
        }
        await transport.shutdown()
        let (stored, username) = try outcome.get()
        do {
            try store.save(stored, as: profile)
        } catch {
            throw AuthCommand.fail(error, exitCode: 4)
        }
        AuthCommand.output(["Signed in as \(username) (profile \(profile))"])
    }

    /// The OAuth three-legged flow.
    private func signIn(base: String, transport: any HTTPTransport) async -> Result<(CredentialProfile, String), ExitCode> {
        let environment = ProcessInfo.processInfo.environment
        guard let key = consumerKey ?? environment["DISCOGS_CONSUMER_KEY"], !key.isEmpty,
            let secret = consumerSecret ?? environment["DISCOGS_CONSUMER_SECRET"], !secret.isEmpty
        else {
            return .failure(AuthCommand.fail(
                "OAuth needs the application's consumer key and secret: set DISCOGS_CONSUMER_KEY and DISCOGS_CONSUMER_SECRET (or --consumer-key/--consumer-secret); register an application at https://www.discogs.com/settings/developers",
                exitCode: 2))
        }
        let login = OAuthLogin(
            baseURL: base, consumerKey: key, consumerSecret: secret,
            signature: SignatureMethod(rawValue: signature) ?? .plaintext, userAgent: userAgent, transport: transport)
        var secrets: [String] = []
        do throws(OAuthLoginError) {
            let signedIn = try await login.signIn(
                authorizeBase: login.authorizeBase(explicit: authorizeURL), callback: !oob,
                present: { url, waitingAt in
                    Console.error("Open this URL in a browser, sign in to Discogs and authorize the application:\n\n  \(url)\n")
                    if open { Self.openInBrowser(url) }
                    if let waitingAt { Console.error("Waiting for the authorization at \(waitingAt) (Ctrl-C to cancel)...") }
                },
                askVerifier: { Self.prompt("Enter the verifier shown on the page: ", hidden: false) },
                secrets: &secrets)
            return .success((signedIn.profile, signedIn.username))
        } catch {
            return .failure(AuthCommand.fail(error, exitCode: error.exitCode, secrets: secrets))
        }
    }

    /// `--token`: a personal token from standard input, checked with /oauth/identity.
    private func storeToken(base: String, transport: any HTTPTransport) async -> Result<(CredentialProfile, String), ExitCode> {
        let text = Self.prompt("Personal access token (from https://www.discogs.com/settings/developers): ", hidden: true)
        let value = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard value.count >= Credentials.minimumValueLength, !value.contains(where: \.isWhitespace) else {
            return .failure(AuthCommand.fail(
                "no personal token on standard input (expected one line with the token); nothing was stored",
                exitCode: 2, secrets: [value]))
        }
        let credentials = Credentials.token(value)
        do throws(OAuthLoginError) {
            let identity = try await OAuthLogin.identity(
                credentials, baseURL: base, userAgent: userAgent, transport: transport)
            return .success((.token(value, username: identity.username, baseURL: base), identity.username))
        } catch {
            return .failure(AuthCommand.fail(error, exitCode: error.exitCode, secrets: [value]))
        }
    }

    /// Prints a prompt on standard error when standard input is a terminal, and reads one line
    /// (without echo when `hidden`). Nil at end of input.
    static func prompt(_ text: String, hidden: Bool) -> String? {
        let terminal = isatty(0) == 1
        if terminal {
            Array(text.utf8).withUnsafeBufferPointer { Console.writeAll(2, $0) }
        }
        var saved = termios()
        let silence = hidden && terminal && tcgetattr(0, &saved) == 0
        if silence {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(0, TCSAFLUSH, &quiet)
        }
        let line = readLine(strippingNewline: true)
        if silence {
            tcsetattr(0, TCSAFLUSH, &saved)
            Console.error("")
        }
        return line
    }

    /// Runs `xdg-open URL` (or `open URL` on macOS) if it exists; says so when it does not.
    static func openInBrowser(_ url: String) {
        let opener = ["xdg-open", "open"].lazy.compactMap { name in
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
                .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }.first
        guard let opener else {
            Console.error("(no browser opener found; open the URL yourself)")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: opener)
        process.arguments = [url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { Console.error("(could not run \(opener); open the URL yourself)") }
    }
}
