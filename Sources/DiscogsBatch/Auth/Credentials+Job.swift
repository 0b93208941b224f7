extension Credentials {
    /// The credentials a loaded job's `auth` section names. The loader has already applied environment
    /// fallbacks and filled the fields from a stored profile (`auth.profile`); a `JobAuth` built by hand
    /// that names a profile without its values gets them from the store `environment` locates.
    public init(job auth: JobAuth, environment: [String: String] = [:]) throws(CredentialsError) {
        var fields = [
            "token": auth.token, "consumer_key": auth.consumerKey, "consumer_secret": auth.consumerSecret,
            "access_token": auth.accessToken, "access_token_secret": auth.accessTokenSecret,
        ].compactMapValues { $0 }
        if let name = auth.profile, auth.mode == .oauth ? auth.accessToken == nil : auth.token == nil {
            let profile: StoredProfile?
            do {
                profile = try CredentialStoreProfiles(environment: environment).profile(named: name)
            } catch {
                throw .invalidValue("auth.profile \"\(name)\": \(error)")
            }
            guard let profile else {
                throw .invalidValue(
                    "auth.profile \"\(name)\": no such profile; sign in with: discogs-batch auth login --profile \(name)")
            }
            let stored: [String: String?] = [
                "token": profile.token, "consumer_key": profile.consumerKey, "consumer_secret": profile.consumerSecret,
                "access_token": profile.accessToken, "access_token_secret": profile.accessTokenSecret,
            ]
            for (key, value) in stored where fields[key] == nil { fields[key] = value }
        }
        self = try Credentials.resolve(
            mode: auth.mode.rawValue, fields: fields,
            signature: auth.signature, sendAs: auth.sendAs, environment: environment)
    }
}
