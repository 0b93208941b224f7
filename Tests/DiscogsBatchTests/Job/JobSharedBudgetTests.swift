import Logging
import Testing

@testable import DiscogsBatch

@Suite("rate.shared, rate.peers, rate.group and the budget URL")
struct JobSharedBudgetTests {
    let header = "version: 1\nuser_agent: test/1.0\n"
    let requests = "requests: [{name: r, path: /x}]\n"

    func load(_ rate: String) -> JobLoader.Result {
        Fixtures.load(header + "rate: \(rate)\n" + requests)
    }

    @Test func aURLIsReadWithItsParts() throws {
        let job = try load(#"{shared: "postgres://batch:s3cret@db.internal:6432/discogs?sslmode=require", peers: 4, group: nat-1}"#).get()
        let url = try #require(job.rate.sharedURL)
        #expect(url.host == "db.internal" && url.port == 6432 && url.user == "batch" && url.password == "s3cret")
        #expect(url.database == "discogs" && url.tls == .require && url.socketPath == nil)
        #expect(url.description == "postgres://batch:***@db.internal:6432/discogs?sslmode=require")
        #expect(job.rate.shared && job.rate.peers == 4 && job.rate.group == "nat-1")
    }

    @Test func aSocketFolderAndDefaults() throws {
        let url = try BudgetURL("postgresql://@/budget?host=/run/postgresql")
        #expect(url.socketPath == "/run/postgresql/.s.PGSQL.5432" && url.user == "postgres" && url.password == nil)
        #expect(url.database == "budget" && url.tls == .prefer && url.port == 5432)
    }

    @Test func booleansStillWork() throws {
        #expect(try load("{shared: false}").get().rate.shared == false)
        let job = try load("{shared: true}").get()
        #expect(job.rate.shared && job.rate.sharedURL == nil && job.rate.peers == 1 && job.rate.group == nil)
    }

    @Test func badValuesNameTheirPlaceAndNeverThePassword() {
        let errors = load(#"{shared: "mysql://u:hunter2@db/x", peers: 0, group: ""}"#).errors.map(\.description)
        #expect(errors == [
            #"job.yaml:3:16: error: rate.shared: expected a PostgreSQL URL (postgres://user@host/database), found "mysql://u:***@db/x""#,
            "job.yaml:3:49: error: rate.peers: expected an integer from 1 to 10000, found 0",
            "job.yaml:3:59: error: rate.group: expected a non-empty name",
        ])
        // The source line a diagnostic quotes hides it too.
        let quoted = load(#"{shared: "postgres://u:hunter2@db/x?sslmode=maybe"}"#)
        #expect(quoted.source?.contains("hunter2") == false)
        #expect(quoted.source?.contains("sslmode=maybe") == true)
        let sslmode = load(#"{shared: "postgres://u:hunter2@db/x?sslmode=maybe"}"#).errors.map(\.description)
        #expect(sslmode == [#"job.yaml:3:16: error: rate.shared: "postgres://u:***@db/x?sslmode=maybe": expected sslmode disable, prefer or require, found "maybe""#])
        #expect(load("{shared: yes}").errors.map(\.description)
            == [#"job.yaml:3:16: error: rate.shared: expected true, false or a PostgreSQL URL (postgres://user@host/database), found "yes""#])
    }

    @Test func maskingHidesWhatFollowsTheUserName() {
        #expect(BudgetURL.mask("postgres://u:p@ss/w@rd@host/db") == "postgres://u:***@host/db")
        #expect(BudgetURL.mask("postgres://u@host/db") == "postgres://u@host/db")
        #expect(BudgetURL.mask("connect to postgres://a:b@h:5432/d failed") == "connect to postgres://a:***@h:5432/d failed")
        #expect(BudgetURL.mask("no url here: a:b@c") == "no url here: a:b@c")
    }

    @Test func theEnvironmentGivesTheURLUnlessTheJobSaysFalse() throws {
        let logger = Logger(label: "test")
        var rate = RateSettings()
        let environment = ["DISCOGS_BATCH_BUDGET_URL": "postgres://u:pw@db/x"]
        #expect(RateGovernor<ContinuousClock>.budgetURL(rate, environment: environment, logger: logger)?.host == "db")
        rate.shared = false
        #expect(RateGovernor<ContinuousClock>.budgetURL(rate, environment: environment, logger: logger) == nil)
        rate.sharedURL = try BudgetURL("postgres://job@jobdb/x")
        #expect(RateGovernor<ContinuousClock>.budgetURL(rate, environment: environment, logger: logger)?.host == "jobdb")
    }

    @Test func theKeyIsTheGroupAndTheFingerprint() {
        var rate = RateSettings()
        let key = RateGovernor<ContinuousClock>.budgetKey(rate, baseURL: "https://api.discogs.com", fingerprint: "0123abcd")
        #expect(key == "api.discogs.com/0123abcd")
        rate.group = "office-nat"
        #expect(RateGovernor<ContinuousClock>.budgetKey(rate, baseURL: "https://api.discogs.com", fingerprint: "0123abcd")
            == "office-nat/0123abcd")
    }
}
