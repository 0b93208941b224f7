import Foundation
import Testing

@testable import DiscogsBatch

/// The rules real Discogs answers taught (issue 17), each on its own, without a server.
@Suite struct RealAnswerRuleTests {
    typealias Runner = JobRunner<ContinuousClock>

    // MARK: records

    @Test func noRateLimitObjectWithoutRateLimitHeaders() {
        var record = Record(
            job: "j", request: "r", key: "k", seq: 1, vars: [], method: "GET", url: "u", status: 404, attempts: 1,
            at: 0, ms: 0, rateLimit: Record.RateLimit(limit: nil, used: nil, remaining: nil))
        #expect(!String(decoding: record.encoded(), as: UTF8.self).contains("ratelimit"))
        record.rateLimit = Record.RateLimit(limit: nil, used: 3, remaining: nil)
        #expect(String(decoding: record.encoded(), as: UTF8.self).contains(#""ratelimit":{"used":3}"#))
    }

    @Test func pagesOnlyWhenTheServerSaidIt() {
        var record = Record(
            job: "j", request: "r", key: "k/page=1", seq: 1, vars: [], method: "GET", url: "u", status: 500,
            attempts: 5, at: 0, ms: 0, page: 1, pages: nil)
        let line = String(decoding: record.encoded(), as: UTF8.self)
        #expect(line.contains(#""page":1"#))
        #expect(!line.contains("pages"))
        record.pages = 7
        #expect(String(decoding: record.encoded(), as: UTF8.self).contains(#""page":1,"pages":7"#))
    }

    @Test func aWalkStopsOnePagePastWhatDiscogsServes() {
        #expect(Runner.pageCap(url: "https://api.discogs.com/database/search?q=a&per_page=100") == 100)
        #expect(Runner.pageCap(url: "https://api.discogs.com/database/search?q=a") == 200)
        #expect(Runner.pageCap(url: "https://api.discogs.com/users/shop/inventory?per_page=25") == 100)
        #expect(Runner.pageCap(url: "https://api.discogs.com/users/shop/wants") == nil)
    }

    // MARK: caps

    @Test func thePagePastACapIsNamed() throws {
        let search = try #require(Runner.capMessage(url: "https://api.discogs.com/database/search?q=a&per_page=100&page=101", page: 101))
        #expect(search.contains("10,000 search results"))
        #expect(Runner.capMessage(url: "https://api.discogs.com/database/search?q=a&per_page=100&page=100", page: 100) == nil)
        // default per_page 50: 200 pages
        #expect(Runner.capMessage(url: "https://api.discogs.com/database/search?q=a&page=201", page: 201) != nil)
        #expect(Runner.capMessage(url: "https://api.discogs.com/database/search?q=a&page=200", page: 200) == nil)
        let inventory = try #require(Runner.capMessage(url: "https://api.discogs.com/users/shop/inventory?per_page=1&page=101", page: 101))
        #expect(inventory.contains("100 pages"))
        #expect(Runner.capMessage(url: "https://api.discogs.com/users/shop/inventory?page=100", page: 100) == nil)
        #expect(Runner.capMessage(url: "https://api.discogs.com/users/shop/wants?page=101", page: 101) == nil)
    }

    // MARK: credentials

    @Test func only401MeansTheCredentialsAreRefused() {
        let token = Credentials.token("t0123456789", sendAs: .header)
        #expect(Runner.isCredentialFailure(401, token))
        #expect(!Runner.isCredentialFailure(403, token))
        #expect(!Runner.isCredentialFailure(401, .none))
    }

    // MARK: 429

    @Test func freeBudgetFromTheAnswersOwnHeaders() {
        #expect(Runner.freeBudget(Record.RateLimit(limit: 60, used: 59, remaining: 12)) == 12)
        #expect(Runner.freeBudget(Record.RateLimit(limit: 60, used: 45, remaining: nil)) == 15)
        #expect(Runner.freeBudget(Record.RateLimit(limit: nil, used: 45, remaining: nil)) == nil)
    }

    /// A 429 without Retry-After whose own headers say requests are left does not block a whole window.
    @Test func tooManyRequestsWithFreeBudgetDoesNotWaitForTheWindow() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 10, window: .seconds(10), safetyMargin: .seconds(1))
        try await governor.acquire()
        clock.advance(by: .seconds(2))
        try await governor.acquire()
        await governor.penalize(retryAfter: nil, free: 5)
        let next = Task { try await governor.acquire() }
        #expect(try await driveManualClock(clock, next) == .ms(2000))
    }

    @Test func tooManyRequestsWithNothingFreeStillWaitsForTheOldestSend() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 10, window: .seconds(10), safetyMargin: .seconds(1))
        try await governor.acquire()
        clock.advance(by: .seconds(2))
        try await governor.acquire()
        await governor.penalize(retryAfter: nil, free: 0)
        let next = Task { try await governor.acquire() }
        #expect(try await driveManualClock(clock, next) == .ms(11_000))
    }
}

/// Validation against the Discogs docs and real answers: modes, sorting, media types, credentials
/// that a lint step does not have.
@Suite struct RealAnswerValidationTests {
    static let header = """
        version: 1
        name: t
        user_agent: "tests/1.0"

        """

    func load(_ yaml: String, environment: [String: String] = [:], credentialsOptional: Bool = false) -> [String] {
        var loader = JobLoader.withCredentialStore(environment: environment)
        loader.credentialsOptional = credentialsOptional
        let result = loader.load(bytes: Array((Self.header + yaml).utf8), file: "job.yaml")
        return result.diagnostics.map(\.description)
    }

    static let keys = ["DISCOGS_CONSUMER_KEY": "fixture-consumer-key", "DISCOGS_CONSUMER_SECRET": "fixture-consumer-secret"]

    @Test func keyAndSecretMaySearch() {
        let lines = load("""
            auth: {mode: key_secret}
            requests:
              - {name: s, path: /database/search, query: {q: blue}}
            """, environment: Self.keys)
        #expect(lines.isEmpty, "\(lines)")
    }

    @Test func searchWithoutCredentialsAndIdentityWithoutAUserWarn() {
        let none = load("""
            requests:
              - {name: s, path: /database/search, query: {q: blue}}
            """)
        #expect(none == ["job.yaml:5:21: warning: requests[0].path: /database/search needs authentication; none mode cannot serve it: use auth mode key_secret, token or oauth"])
        let keys = load("""
            auth: {mode: key_secret}
            requests:
              - {name: i, path: /oauth/identity}
              - {name: w, method: PUT, path: /users/u/wants/1}
            """, environment: Self.keys)
        #expect(keys.count == 2)
        #expect(keys.allSatisfy { $0.contains("key_secret mode cannot serve it: use auth mode token or oauth") })
    }

    @Test func paginatedListsOnTheDefaultSortWarn() {
        let lines = load("""
            requests:
              - {name: c, path: "/users/u/collection/folders/0/releases", paginate: true}
              - {name: s, path: "/users/u/collection/folders/0/releases", query: {sort: added, sort_order: asc}, paginate: true}
              - {name: v, path: "/masters/{id}/versions", foreach: {id: [1]}, paginate: true}
              - {name: one, path: "/users/u/collection/folders/0/releases"}
            """)
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first?.contains("requests[0].paginate: this list on Discogs's default sort may shift while it is paged") == true)
        #expect(lines.first?.contains("sort: added, sort_order: asc") == true)
        #expect(lines.last?.contains("requests[2].paginate") == true)
        #expect(lines.last?.contains("sort: released") == true)
    }

    @Test func mediaTypeSetsTheAcceptHeader() throws {
        var loader = JobLoader.withCredentialStore(environment: [:])
        loader.credentialsOptional = false
        let result = loader.load(bytes: Array((Self.header + """
            requests:
              - {name: r, path: /releases/1, media_type: html}
              - {name: p, path: /releases/2, media_type: plaintext}
              - {name: d, path: /releases/3}
            """).utf8), file: "job.yaml")
        let job = try result.get()
        let plan = Array(Plan(job: job))
        #expect(plan[0].headers.first { $0.name == "Accept" }?.value == "application/vnd.discogs.v2.html+json")
        #expect(plan[1].headers.first { $0.name == "Accept" }?.value == "application/vnd.discogs.v2.plaintext+json")
        #expect(plan[2].headers.contains { $0.name == "Accept" } == false)

        let both = load("""
            requests:
              - {name: r, path: /releases/1, media_type: html, headers: {Accept: application/json}}
              - {name: x, path: /releases/1, media_type: markdown}
            """)
        #expect(both.count == 2, "\(both)")
        #expect(both[0].contains("error: requests[0].headers.Accept: give either media_type or an Accept header, not both"))
        #expect(both[1].contains("error: requests[1].media_type:"))
    }

    /// A CI lint step has no secrets: validate and plan warn, run still refuses.
    @Test func missingEnvironmentCredentialsWarnWhenOptional() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-profiles-\(UUID().uuidString)").path
        let environment = ["DISCOGS_BATCH_CONFIG_DIR": folder]
        for auth in ["{mode: token}", "{mode: token, token: \"${DISCOGS_TOKEN}\"}", "{mode: key_secret}", "{mode: oauth}", "{mode: oauth, profile: shop}"] {
            let yaml = "auth: \(auth)\nrequests:\n  - {name: r, path: /releases/1}\n"
            let strict = load(yaml, environment: environment)
            #expect(!strict.isEmpty && strict.allSatisfy { $0.contains(": error: auth.") }, "\(auth): \(strict)")
            let lenient = load(yaml, environment: environment, credentialsOptional: true)
            #expect(!lenient.isEmpty && lenient.allSatisfy { $0.contains(": warning: auth.") && $0.contains("needed to run") }, "\(auth): \(lenient)")
        }
    }

    /// Every example validates on a machine with no DISCOGS_* variable and no stored profile.
    @Test(arguments: Fixtures.files(in: "examples"))
    func everyExampleValidatesWithoutCredentials(_ path: String) {
        var loader = JobLoader.withCredentialStore(environment: ["DISCOGS_BATCH_CONFIG_DIR": "/nonexistent/discogs-batch-config"])
        loader.credentialsOptional = true
        let result = loader.load(path: path)
        #expect(result.errors.isEmpty, "\(result.errors.map(\.description))")
        #expect(result.job != nil)
    }
}
