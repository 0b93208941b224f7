import Testing
@testable import DiscogsBatch

@Suite("Job loader")
struct JobLoaderTests {
    let header = "version: 1\nuser_agent: test/1.0\n"

    func job(_ yaml: String, environment: [String: String] = Fixtures.environment) throws -> Job {
        let result = Fixtures.load(yaml, environment: environment)
        #expect(result.errors.map(\.description) == [])
        return try result.get()
    }

    func errors(_ yaml: String, environment: [String: String] = Fixtures.environment) -> [String] {
        Fixtures.load(yaml, environment: environment).errors.map(\.description)
    }

    @Test func defaults() throws {
        let job = try job(header + "requests:\n  - {name: r, path: /releases/1}\n")
        #expect(job.name == "job")
        #expect(job.baseURL == "https://api.discogs.com")
        #expect(job.auth.mode == .none)
        #expect(job.rate.budget(for: .none) == 25)
        #expect(job.rate.budget(for: .token) == 60)
        #expect(job.concurrency == 2)
        #expect(job.timeout == .seconds(30))
        #expect(job.retry.maxAttempts == 5)
        #expect(job.retry.maxWait == .seconds(600))
        #expect(job.outputPath == nil)
        #expect(job.requests[0].method == .GET)
    }

    @Test func defaultUserAgentIsAWarning() {
        let result = Fixtures.load("version: 1\nrequests:\n  - {name: r, path: /x}\n")
        #expect(result.job != nil)
        #expect(result.warnings.map(\.path) == ["user_agent"])
    }

    @Test func everyKeyIsRead() throws {
        let job = try job("""
            version: 1
            name: full
            base_url: https://example.org/api/
            user_agent: "Full/1.0"
            auth: {mode: token, token: "${DISCOGS_TOKEN}", send_as: query}
            rate: {tier: low, limit: 30, window: 10s, reserve: 5, shared: false}
            concurrency: 8
            timeout: 500ms
            retry: {max_attempts: 3, max_wait: 1h}
            output: {path: out/x.ndjson}
            vars: {user: "${FIXTURE_USER}"}
            defaults:
              query: {per_page: 100}
              headers: {Accept: application/vnd.discogs.v2.plaintext+json}
            requests:
              - name: a
                method: PUT
                path: /users/{user}/wants/{id}
                query: {per_page: 5, extra: "x"}
                headers: {X-Trace: "1"}
                foreach: {id: [1, 2]}
                body: {notes: hi}
              - name: b
                path: /users/{user}/wants
                paginate: {max_pages: 4}
                items: wants
            """)
        #expect(job.name == "full")
        #expect(job.baseURL == "https://example.org/api")
        #expect(job.auth.token == "fixture-token-0123456789")
        #expect(job.auth.sendAs == .query)
        #expect(job.rate.tier == .low && job.rate.limit == 30 && job.rate.window == .seconds(10))
        #expect(job.rate.reserve == 5 && job.rate.shared == false)
        #expect(job.rate.budget(for: .token) == 25)
        #expect(job.concurrency == 8)
        #expect(job.timeout == .milliseconds(500))
        #expect(job.retry.maxAttempts == 3 && job.retry.maxWait == .seconds(3600))
        #expect(job.outputPath == "out/x.ndjson")
        #expect(job.vars == ["user": "fixture_user"])
        let a = job.requests[0]
        #expect(a.method == .PUT)
        #expect(a.query.map(\.name) == ["per_page", "extra"])
        #expect(a.query.map(\.value.source) == ["5", "x"])
        #expect(a.headers.map(\.name) == ["Accept", "X-Trace"])
        #expect(a.body?.render { _ in "" } == #"{"notes":"hi"}"#)
        #expect(job.requests[1].paginate == Pagination(maxPages: 4))
        #expect(job.requests[1].items == "wants")
    }

    @Test func scalarsKeepTheirTextExceptTypedFields() throws {
        let job = try job(header + """
            vars: {a: 0123, b: no, c: on, d: 1.50, e: yes}
            concurrency: 0o10
            requests:
              - name: r
                path: /x
                query: {flag: no, n: 007}
            """)
        #expect(job.vars == ["a": "0123", "b": "no", "c": "on", "d": "1.50", "e": "yes"])
        #expect(job.concurrency == 8)
        #expect(job.requests[0].query.map(\.value.source) == ["no", "007"])
    }

    @Test func bodyFollowsTheCoreSchema() throws {
        let job = try job(header + """
            requests:
              - name: r
                method: POST
                path: /x
                body:
                  int: 0123
                  hex: 0x1F
                  float: 1.50
                  exp: 1e3
                  yes_is_text: yes
                  t: true
                  n: null
                  empty:
                  quoted: "12"
                  list: [1, "a", {k: ~}]
                  text: "line\\n\\"q\\""
            """)
        #expect(job.requests[0].body?.render { _ in "" }
            == #"{"int":123,"hex":31,"float":1.50,"exp":1e3,"yes_is_text":"yes","t":true,"n":null,"empty":null,"quoted":"12","list":[1,"a",{"k":null}],"text":"line\n\"q\""}"#)
    }

    @Test func interpolation() throws {
        let env = ["A": "alpha", "EMPTY": ""]
        let job = try job(header + """
            vars:
              plain: ${A}
              fallback: ${MISSING:-dflt}
              empty_set: ${EMPTY:-unused}
              dollar: $$5 and $5 and $
              both: pre-${A}-${MISSING:-x}-post
            requests: [{name: r, path: /x}]
            """, environment: env)
        #expect(job.vars["plain"] == "alpha")
        #expect(job.vars["fallback"] == "dflt")
        #expect(job.vars["empty_set"] == "")
        #expect(job.vars["dollar"] == "$5 and $5 and $")
        #expect(job.vars["both"] == "pre-alpha-x-post")
    }

    @Test func unsetVariableIsAnErrorAtItsColumn() {
        #expect(errors(header + "vars:\n  x: abc${NOPE}\nrequests: [{name: r, path: /x}]\n", environment: [:])
            == ["job.yaml:4:9: error: vars.x: environment variable NOPE is not set (write ${NOPE:-default} for a fallback)"])
    }

    @Test func interpolationDoesNotApplyToTypedFields() {
        #expect(errors(header + "concurrency: ${N:-2}\nrequests: [{name: r, path: /x}]\n")
            == [#"job.yaml:3:14: error: concurrency: expected an integer, found "${N:-2}""#])
    }

    @Test func credentialsFallBackToTheEnvironment() throws {
        let yaml = header + "auth: {mode: oauth}\nrequests: [{name: r, path: /x}]\n"
        let job = try job(yaml)
        #expect(job.auth.consumerKey == "fixture-consumer-key")
        #expect(job.auth.accessTokenSecret == "fixture-access-secret")
        #expect(job.auth.secrets.count == 4)
        #expect(errors(yaml, environment: [:]).count == 4)
    }

    @Test func literalSecretIsAWarningThatDoesNotPrintIt() {
        let result = Fixtures.load(header + "auth: {mode: token, token: abcdef123456}\nrequests: [{name: r, path: /x}]\n")
        #expect(result.job != nil)
        #expect(result.warnings.count == 1)
        #expect(!result.warnings[0].description.contains("abcdef123456"))
    }

    @Test func xKeysAreIgnoredAndMergeKeysShareSettings() throws {
        let job = try job(header + """
            x-common: &common
              path: /users/{u}/wants
              paginate: true
              items: wants
            vars: {u: me}
            requests:
              - {name: a, <<: *common}
              - {name: b, <<: *common, items: other}
            """)
        #expect(job.requests.map(\.items) == ["wants", "other"])
        #expect(job.requests[1].path.source == "/users/{u}/wants")
    }

    @Test func durations() {
        #expect(Duration(parsing: "500ms") == .milliseconds(500))
        #expect(Duration(parsing: "30s") == .seconds(30))
        #expect(Duration(parsing: "10m") == .seconds(600))
        #expect(Duration(parsing: "1h") == .seconds(3600))
        #expect(Duration(parsing: "1d") == .seconds(86_400))
        for bad in ["", "s", "10", "1.5s", "-1s", "10 s", "1w", "5sec"] {
            #expect(Duration(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func templates() {
        let t = Template("/a/{x}/{ y }/{{z}}/{9}/{_ok}")
        #expect(t.variables == ["x", "z", "_ok"])
        #expect(t.render({ $0.uppercased() }) == "/a/X/{ y }/{Z}/{9}/_OK")
        #expect(Template("").parts == [.literal("")])
    }

    @Test func nearestKeySuggestion() {
        #expect(LoadContext.nearest("methd", in: JobReader.requestKeys) == "method")
        #expect(LoadContext.nearest("pagniate", in: JobReader.requestKeys) == "paginate")
        #expect(LoadContext.nearest("zzzzzzzz", in: JobReader.requestKeys) == nil)
    }
}
