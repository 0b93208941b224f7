extension Credentials {
    /// The environment variable each credential field falls back to (SPEC §2).
    public static let environmentFallbacks: [String: String] = [
        "token": "DISCOGS_TOKEN",
        "consumer_key": "DISCOGS_CONSUMER_KEY",
        "consumer_secret": "DISCOGS_CONSUMER_SECRET",
        "access_token": "DISCOGS_ACCESS_TOKEN",
        "access_token_secret": "DISCOGS_ACCESS_TOKEN_SECRET",
    ]

    /// Builds credentials from a job's `auth` fields (job file names as keys: `token`, `consumer_key`,
    /// `consumer_secret`, `access_token`, `access_token_secret`), filling each missing or empty field from
    /// its `DISCOGS_*` environment variable, then validating every value. Fields the mode does not use
    /// are ignored. Errors name the field and the variable, never a value.
    public static func resolve(
        mode: String, fields: [String: String], signature: SignatureMethod = .plaintext, sendAs: CredentialPlacement = .header,
        environment: [String: String]
    ) throws(CredentialsError) -> Credentials {
        func value(_ field: String) throws(CredentialsError) -> String {
            if let explicit = fields[field], !explicit.isEmpty { return explicit }
            let variable = environmentFallbacks[field] ?? ""
            if let fromEnvironment = environment[variable], !fromEnvironment.isEmpty { return fromEnvironment }
            throw .missingField(mode: mode, field: field, environmentVariable: variable)
        }
        let credentials: Credentials
        switch mode {
        case "none":
            credentials = .none
        case "token":
            credentials = .token(try value("token"), sendAs: sendAs)
        case "key_secret":
            credentials = .keySecret(
                key: try value("consumer_key"), secret: try value("consumer_secret"), sendAs: sendAs)
        case "oauth":
            credentials = .oauth(
                consumerKey: try value("consumer_key"), consumerSecret: try value("consumer_secret"),
                accessToken: try value("access_token"), accessTokenSecret: try value("access_token_secret"),
                signature: signature)
        default:
            throw .unknownMode(mode)
        }
        if let problem = credentials.validationProblems().first { throw .invalidValue(problem) }
        return credentials
    }
}
