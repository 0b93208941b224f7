import Testing

@testable import DiscogsBatch

@Suite struct AuthCredentialsResolveTests {
    @Test func explicitFieldsWin() throws {
        let credentials = try Credentials.resolve(
            mode: "token", fields: ["token": "job-token"], environment: ["DISCOGS_TOKEN": "env-token"])
        #expect(credentials == .token("job-token"))
    }

    @Test func environmentFillsMissingFields() throws {
        let environment = [
            "DISCOGS_CONSUMER_KEY": "env-ckey", "DISCOGS_CONSUMER_SECRET": "env-csec",
            "DISCOGS_ACCESS_TOKEN": "env-atok", "DISCOGS_ACCESS_TOKEN_SECRET": "env-asec",
        ]
        #expect(
            try Credentials.resolve(
                mode: "oauth", fields: ["consumer_key": "job-ckey"], signature: .hmacSHA1, environment: environment)
                == .oauth(
                    consumerKey: "job-ckey", consumerSecret: "env-csec", accessToken: "env-atok",
                    accessTokenSecret: "env-asec", signature: .hmacSHA1))
        #expect(
            try Credentials.resolve(
                mode: "key_secret", fields: ["consumer_secret": ""], sendAs: .query, environment: environment)
                == .keySecret(key: "env-ckey", secret: "env-csec", sendAs: .query))
        #expect(try Credentials.resolve(mode: "none", fields: ["token": "ignored"], environment: environment) == .none)
    }

    @Test func missingFieldNamesFieldAndVariable() {
        #expect(
            throws: CredentialsError.missingField(mode: "token", field: "token", environmentVariable: "DISCOGS_TOKEN")
        ) {
            try Credentials.resolve(mode: "token", fields: [:], environment: [:])
        }
        let error = CredentialsError.missingField(
            mode: "oauth", field: "access_token", environmentVariable: "DISCOGS_ACCESS_TOKEN")
        #expect(
            error.description
                == "auth.access_token: required in oauth mode; set it in the job or in the environment variable DISCOGS_ACCESS_TOKEN"
        )
    }

    @Test func unknownModeAndShortValues() {
        #expect(throws: CredentialsError.unknownMode("basic")) {
            try Credentials.resolve(mode: "basic", fields: [:], environment: [:])
        }
        #expect(throws: CredentialsError.self) {
            try Credentials.resolve(mode: "token", fields: ["token": "abc"], environment: [:])
        }
    }
}
