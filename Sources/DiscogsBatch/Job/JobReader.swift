import Foundation

/// Reads the top level of a job file; requests are read in `JobReader+Requests.swift`.
struct JobReader {
    let context: LoadContext
    let loader: JobLoader

    static let topKeys = [
        "version", "name", "base_url", "user_agent", "auth", "rate", "concurrency", "timeout", "retry",
        "output", "vars", "defaults", "requests", "cache",
    ]

    var directory: String {
        (context.file as NSString).deletingLastPathComponent
    }

    func read(_ root: YAMLNode) -> Job? {
        guard let top = context.mapping(root, "", allowed: Self.topKeys, extensions: true) else { return nil }
        let c = context

        var version = 1
        if let node = top["version"]?.value {
            if let value = c.int64(node, "version") {
                if value != 1 { c.error(node.mark, "version", "expected 1 (the only job format version), found \(value)") }
                version = Int(value)
            }
        } else if !c.suggested.contains("version") {
            c.error(root.mark, "version", "required key is missing; add version: 1")
        }

        let fileName = ((context.file as NSString).lastPathComponent as NSString).deletingPathExtension
        var name = fileName.isEmpty ? "job" : fileName
        if let node = top["name"]?.value, let value = c.string(node, "name") {
            if value.isEmpty { c.error(node.mark, "name", "expected a non-empty name") } else { name = value }
        }

        let auth = top["auth"].map { readAuth($0.value) } ?? readAuth(nil)

        // A stored profile remembers the API it signed in to; the job's own base_url wins.
        var baseURL = auth.profileBaseURL ?? Job.defaultBaseURL
        if let node = top["base_url"]?.value, let value = c.string(node, "base_url") {
            if let url = checkedBaseURL(value, node, auth: auth) { baseURL = url }
        }

        var userAgent = Job.defaultUserAgent
        if let node = top["user_agent"]?.value, let value = c.string(node, "user_agent") {
            if value.trimmingCharacters(in: .whitespaces).isEmpty || value.contains(where: \.isNewline) {
                c.error(node.mark, "user_agent", "expected a non-empty single-line User-Agent")
            } else {
                userAgent = value
            }
        } else if top["user_agent"] == nil {
            c.warning(root.mark, "user_agent",
                "not set; sending \"\(Job.defaultUserAgent)\". Discogs asks every application to identify itself, e.g. user_agent: \"MyExporter/1.0 +https://example.org\"")
        }

        var rate = RateSettings()
        if let node = top["rate"]?.value { rate = readRate(node) }

        var concurrency = 2
        if let node = top["concurrency"]?.value, let value = c.int(node, "concurrency", in: 1...64) {
            concurrency = value
        }
        var timeout = Duration.seconds(30)
        if let node = top["timeout"]?.value,
            let value = c.duration(node, "timeout", in: .milliseconds(100)...(.seconds(3600)))
        {
            timeout = value
        }
        var retry = RetrySettings()
        if let node = top["retry"]?.value { retry = readRetry(node) }

        var outputPath: String?
        if let node = top["output"]?.value,
            let entries = c.mapping(node, "output", allowed: ["path"]),
            let pathNode = entries["path"]?.value,
            let value = c.string(pathNode, "output.path")
        {
            if value.isEmpty {
                c.error(pathNode.mark, "output.path", "expected a file path, or - for standard output")
            } else if value != "-" {
                outputPath = value.hasPrefix("/") || directory.isEmpty ? value : "\(directory)/\(value)"
            }
        }

        var vars: [String: String] = [:]
        if let node = top["vars"]?.value { vars = readVars(node) }

        var defaultQuery: [(name: String, value: Template, node: YAMLNode)] = []
        var defaultHeaders: [(name: String, value: String)] = []
        if let node = top["defaults"]?.value,
            let entries = c.mapping(node, "defaults", allowed: ["query", "headers"])
        {
            if let q = entries["query"]?.value { defaultQuery = readQuery(q, "defaults.query") }
            if let h = entries["headers"]?.value { defaultHeaders = readHeaders(h, "defaults.headers") }
        }
        let defaults = RequestDefaults(query: defaultQuery, headers: defaultHeaders, vars: vars)

        var requests: [RequestSpec] = []
        if let node = top["requests"]?.value {
            if let items = node.sequence, !items.isEmpty {
                requests = readRequests(items, defaults: defaults, auth: auth)
            } else {
                let found = node.sequence != nil ? "an empty list" : c.describe(node)
                c.error(node.mark, "requests", "expected a list of at least one request, found \(found)")
            }
        } else if !c.suggested.contains("requests") {
            c.error(root.mark, "requests", "required key is missing; add a list of requests")
        }

        return Job(
            file: context.file, version: version, name: name, baseURL: baseURL, userAgent: userAgent,
            auth: auth, rate: rate, concurrency: concurrency, timeout: timeout, retry: retry,
            outputPath: outputPath, vars: vars, requests: requests, cache: top["cache"].flatMap { readCache($0.value) })
    }

    private func checkedBaseURL(_ value: String, _ node: YAMLNode, auth: JobAuth) -> String? {
        guard let url = URLComponents(string: value), let scheme = url.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty,
            url.query == nil, url.fragment == nil
        else {
            context.error(node.mark, "base_url", "expected an http or https URL such as https://api.discogs.com, found \(context.describe(node))")
            return nil
        }
        if auth.mode != .none, let refusal = TransportSecurity.credentialsRefusal(to: value) {
            context.error(node.mark, "base_url", "\(refusal); use https:// or auth mode none")
            return nil
        }
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    private static let authKeys = [
        "mode", "token", "consumer_key", "consumer_secret", "access_token", "access_token_secret", "profile",
        "signature", "send_as",
    ]

    private func readAuth(_ node: YAMLNode?) -> JobAuth {
        var auth = JobAuth()
        let c = context
        guard let node else { return auth }
        guard let entries = c.mapping(node, "auth", allowed: Self.authKeys) else { return auth }
        if let m = entries["mode"]?.value, let mode = c.oneOf(m, "auth.mode", AuthMode.self) { auth.mode = mode }

        let used: [AuthMode: [String]] = [
            .none: [], .keySecret: ["consumer_key", "consumer_secret", "send_as"], .token: ["token", "profile", "send_as"],
            .oauth: ["consumer_key", "consumer_secret", "access_token", "access_token_secret", "profile", "signature"],
        ]
        for (key, pair) in entries where key != "mode" && !(used[auth.mode] ?? []).contains(key) {
            c.error(pair.key.mark, "auth.\(key)", "not used in \(auth.mode.rawValue) mode")
        }
        func credential(_ key: String, env: String, secret: Bool) -> String? {
            guard let pair = entries[key] else { return c.environment[env].flatMap { $0.isEmpty ? nil : $0 } }
            guard let value = c.credentialString(pair.value, "auth.\(key)") else { return nil }
            if let text = pair.value.scalar?.text, !text.isEmpty { c.literalCredentials.append(text) }
            if secret, let text = pair.value.scalar?.text, !text.contains("${") {
                c.warning(pair.value.mark, "auth.\(key)",
                    "a secret is written literally in the job file; take it from the environment instead (\(key): ${\(env)})")
            }
            if value.isEmpty { c.error(pair.value.mark, "auth.\(key)", "expected a value, found an empty string") }
            return value
        }
        let needs = "set it under auth or in the environment variable"
        let modeMark = entries["mode"]?.value.mark ?? node.mark
        switch auth.mode {
        case .none:
            break
        case .token:
            if let p = entries["profile"]?.value {
                if entries["token"] != nil {
                    c.error(entries["token"]!.key.mark, "auth.token", "give either profile or the token, not both")
                } else if let stored = storedProfile(p, mode: .token) {
                    auth.profile = stored.name
                    auth.token = stored.profile.token
                    auth.profileBaseURL = stored.profile.baseURL
                }
                break
            }
            auth.token = credential("token", env: "DISCOGS_TOKEN", secret: true)
            if auth.token == nil, entries["token"] == nil {
                c.missingCredential(modeMark, "auth.token", "token mode needs a personal token: \(needs) DISCOGS_TOKEN")
            }
        case .keySecret, .oauth:
            // With a profile, the job's own consumer key/secret win, then the profile's, then the environment.
            let stored = auth.mode == .oauth ? entries["profile"].flatMap { storedProfile($0.value, mode: .oauth) } : nil
            if entries["consumer_key"] == nil, let key = stored?.profile.consumerKey {
                auth.consumerKey = key
            } else {
                auth.consumerKey = credential("consumer_key", env: "DISCOGS_CONSUMER_KEY", secret: false)
            }
            if entries["consumer_secret"] == nil, let secret = stored?.profile.consumerSecret {
                auth.consumerSecret = secret
            } else {
                auth.consumerSecret = credential("consumer_secret", env: "DISCOGS_CONSUMER_SECRET", secret: true)
            }
            for (key, env, value) in [
                ("consumer_key", "DISCOGS_CONSUMER_KEY", auth.consumerKey),
                ("consumer_secret", "DISCOGS_CONSUMER_SECRET", auth.consumerSecret),
            ] where value == nil && entries[key] == nil && entries["profile"] == nil {
                c.missingCredential(modeMark, "auth.\(key)", "\(auth.mode.rawValue) mode needs \(key): \(needs) \(env)")
            }
            if let stored {
                auth.profile = stored.name
                auth.profileBaseURL = stored.profile.baseURL
                if entries["access_token"] == nil && entries["access_token_secret"] == nil {
                    auth.accessToken = stored.profile.accessToken
                    auth.accessTokenSecret = stored.profile.accessTokenSecret
                }
            }
        }
        if auth.mode == .oauth {
            if entries["profile"] != nil {
                for key in ["access_token", "access_token_secret"] where entries[key] != nil {
                    c.error(entries[key]!.key.mark, "auth.\(key)", "give either profile or the access token, not both")
                }
            } else {
                auth.accessToken = credential("access_token", env: "DISCOGS_ACCESS_TOKEN", secret: true)
                auth.accessTokenSecret = credential("access_token_secret", env: "DISCOGS_ACCESS_TOKEN_SECRET", secret: true)
                for (key, env, value) in [
                    ("access_token", "DISCOGS_ACCESS_TOKEN", auth.accessToken),
                    ("access_token_secret", "DISCOGS_ACCESS_TOKEN_SECRET", auth.accessTokenSecret),
                ] where value == nil && entries[key] == nil {
                    c.missingCredential(modeMark, "auth.\(key)",
                        "oauth mode needs \(key) or a profile (auth login): \(needs) \(env)")
                }
            }
            if let s = entries["signature"]?.value, let method = c.oneOf(s, "auth.signature", SignatureMethod.self) {
                auth.signature = method
            }
        }
        if let s = entries["send_as"]?.value, let placement = c.oneOf(s, "auth.send_as", CredentialPlacement.self) {
            auth.sendAs = placement
        }
        return auth
    }

    /// The profile a job's `auth.profile` names, from the loader's profile source (Auth's credential
    /// store); reports (at the profile's value) a missing store, a missing profile, a store that is
    /// refused, or a profile of another mode.
    private func storedProfile(_ node: YAMLNode, mode: AuthMode) -> (name: String, profile: StoredProfile)? {
        let c = context
        guard let name = c.string(node, "auth.profile") else { return nil }
        guard let source = loader.profiles, let location = source.location else {
            c.missingCredential(node.mark, "auth.profile",
                "no credential store to read profile \"\(name)\" from: set HOME, XDG_CONFIG_HOME or DISCOGS_BATCH_CONFIG_DIR")
            return nil
        }
        let profile: StoredProfile?
        do {
            profile = try source.profile(named: name)
        } catch {
            c.error(node.mark, "auth.profile", "\(error)")
            return nil
        }
        guard let profile else {
            c.missingCredential(node.mark, "auth.profile",
                "no profile \"\(name)\" in \(location); sign in with: discogs-batch auth login --profile \(name)")
            return nil
        }
        guard profile.mode == mode else {
            c.error(node.mark, "auth.profile",
                "profile \"\(name)\" holds \(profile.mode == .token ? "a personal token" : "OAuth credentials"); use it with mode: \(profile.mode.rawValue)")
            return nil
        }
        return (name, profile)
    }

    private func readRate(_ node: YAMLNode) -> RateSettings {
        var rate = RateSettings()
        let c = context
        guard let e = c.mapping(node, "rate", allowed: ["tier", "limit", "window", "reserve", "shared", "peers", "group"]) else {
            return rate
        }
        if let n = e["tier"]?.value, let tier = c.oneOf(n, "rate.tier", RateTierSetting.self) { rate.tier = tier }
        if let n = e["limit"]?.value { rate.limit = c.int(n, "rate.limit", in: 1...100_000) }
        if let n = e["window"]?.value, let w = c.duration(n, "rate.window", in: .milliseconds(100)...(.seconds(3600))) {
            rate.window = w
        }
        if let n = e["reserve"]?.value, let reserve = c.int(n, "rate.reserve", in: 0...100_000) {
            let limit = rate.limit ?? (rate.tier == .low ? RateTier.low.limit : RateTier.high.limit)
            if reserve >= limit {
                c.error(n.mark, "rate.reserve", "expected fewer than the limit (\(limit)) requests, found \(reserve)")
            } else {
                rate.reserve = reserve
            }
        }
        if let n = e["shared"]?.value { readShared(n, into: &rate) }
        if let n = e["peers"]?.value, let peers = c.int(n, "rate.peers", in: 1...10_000) { rate.peers = peers }
        if let n = e["group"]?.value, let group = c.string(n, "rate.group") {
            if group.isEmpty { c.error(n.mark, "rate.group", "expected a non-empty name") } else { rate.group = group }
        }
        return rate
    }

    /// `rate.shared`: true, false, or a PostgreSQL URL (quoted in errors with its password masked).
    private func readShared(_ node: YAMLNode, into rate: inout RateSettings) {
        if let scalar = node.scalar, scalar.style == .plain, let shared = LoadContext.coreBool(scalar.text) {
            rate.shared = shared
        } else if let scalar = node.scalar, scalar.text.contains("://") {
            // From `://` to the password's end (long enough to be hidden even for a one-letter
            // password) is hidden from the source lines diagnostics quote, as written credentials are.
            if let secret = BudgetURL.passwordPart(of: scalar.text), let scheme = scalar.text.range(of: "://") {
                context.literalCredentials.append(String(scalar.text[scheme.lowerBound..<secret.upperBound]))
            }
            do throws(BudgetURL.Failure) {
                rate.sharedURL = try BudgetURL(scalar.text)
            } catch {
                context.error(node.mark, "rate.shared", error.description)
            }
        } else {
            context.error(node.mark, "rate.shared",
                "expected true, false or a PostgreSQL URL (postgres://user@host/database), found \(context.describe(node))")
        }
    }

    private func readRetry(_ node: YAMLNode) -> RetrySettings {
        var retry = RetrySettings()
        guard let e = context.mapping(node, "retry", allowed: ["max_attempts", "max_wait"]) else { return retry }
        if let n = e["max_attempts"]?.value, let v = context.int(n, "retry.max_attempts", in: 1...100) {
            retry.maxAttempts = v
        }
        if let n = e["max_wait"]?.value, let v = context.duration(n, "retry.max_wait", in: .zero...(.seconds(86_400))) {
            retry.maxWait = v
        }
        return retry
    }

    private func readVars(_ node: YAMLNode) -> [String: String] {
        guard let pairs = node.mapping else {
            context.error(node.mark, "vars", "expected a mapping of names to values, found \(context.describe(node))")
            return [:]
        }
        var vars: [String: String] = [:]
        for pair in pairs {
            let key = pair.key.scalar?.text ?? ""
            guard Template.isName(Substring(key)) else {
                context.error(pair.key.mark, "vars", "expected a variable name (letters, digits, _), found \"\(key)\"")
                continue
            }
            if let value = context.string(pair.value, "vars.\(key)") { vars[key] = value }
        }
        return vars
    }
}
