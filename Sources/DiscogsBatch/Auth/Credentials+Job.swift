extension Credentials {
    /// The credentials a loaded job's `auth` section names (environment fallbacks already applied by
    /// the loader). Stored profiles are read by `auth login`'s store; until it exists they are refused.
    public init(job auth: JobAuth) throws(CredentialsError) {
        if let profile = auth.profile {
            throw .invalidValue("auth.profile \"\(profile)\": stored OAuth profiles are not supported yet; give access_token and access_token_secret (or DISCOGS_ACCESS_TOKEN and DISCOGS_ACCESS_TOKEN_SECRET)")
        }
        let fields = [
            "token": auth.token, "consumer_key": auth.consumerKey, "consumer_secret": auth.consumerSecret,
            "access_token": auth.accessToken, "access_token_secret": auth.accessTokenSecret,
        ].compactMapValues { $0 }
        self = try Credentials.resolve(
            mode: auth.mode.rawValue, fields: fields,
            signature: auth.signature == .hmacSHA1 ? .hmacSHA1 : .plaintext,
            sendAs: auth.sendAs == .query ? .query : .header, environment: [:])
    }
}
