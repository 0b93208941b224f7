import Testing
@testable import DiscogsBatch

@Suite("Plan")
struct PlanTests {
    func plan(_ requests: String, vars: String = "") throws -> Plan {
        let result = Fixtures.load("version: 1\nuser_agent: t/1\nbase_url: https://api.example.org\n\(vars)requests:\n\(requests)")
        #expect(result.errors.map(\.description) == [])
        return Plan(job: try result.get())
    }

    @Test func cartesianProductInTheOrderWritten() throws {
        let plan = try plan("""
              - name: r
                path: /a/{x}/{y}
                foreach:
                  x: [1, 2]
                  y: {range: {from: 10, to: 30, step: 10}}
            """)
        #expect(plan.count == 6)
        #expect(plan.map(\.key) == [
            "r/x=1/y=10", "r/x=1/y=20", "r/x=1/y=30", "r/x=2/y=10", "r/x=2/y=20", "r/x=2/y=30",
        ])
        #expect(Array(plan).first?.url == "https://api.example.org/a/1/10")
        #expect(Array(plan).first?.vars.map(\.value) == ["1", "10"])
    }

    @Test func requestWithoutForeachIsOneRequestKeyedByName() throws {
        let plan = try plan("  - {name: identity, path: /oauth/identity}\n  - {name: two, path: /b}\n")
        #expect(plan.map(\.key) == ["identity", "two"])
        #expect(plan.map(\.requestIndex) == [0, 1])
    }

    @Test func rangesWithNegativeStepAndEmptyRanges() throws {
        let plan = try plan("""
              - {name: down, path: "/d/{i}", foreach: {i: {range: {from: 5, to: 1, step: -2}}}}
              - {name: none, path: "/n/{i}", foreach: {i: {range: {from: 5, to: 1}}}}
              - {name: one, path: "/o/{i}", foreach: {i: {range: {from: -3, to: -3}}}}
            """)
        #expect(plan.map(\.key) == ["down/i=5", "down/i=3", "down/i=1", "one/i=-3"])
        #expect(plan.count == 4)
    }

    @Test func pathVariablesAreOneSegmentAndQueryIsEncoded() throws {
        let plan = try plan("""
              - name: s
                path: /users/{u}/x
                query: {q: "{u}", per_page: 5}
                foreach: {u: ["a/b c", "é?#%"]}
            """)
        let urls = plan.map(\.url)
        #expect(urls == [
            "https://api.example.org/users/a%2Fb%20c/x?q=a%2Fb%20c&per_page=5",
            "https://api.example.org/users/%C3%A9%3F%23%25/x?q=%C3%A9%3F%23%25&per_page=5",
        ])
        #expect(plan.map(\.key) == ["s/u=a%2Fb%20c", "s/u=%C3%A9%3F%23%25"])
    }

    @Test func defaultsAndVarsApply() throws {
        let plan = try plan("""
              - {name: r, path: "/users/{user}/wants", query: {per_page: 10}}
            """, vars: "vars: {user: me}\ndefaults: {query: {per_page: 100, sort: added}}\n")
        #expect(Array(plan).first?.url == "https://api.example.org/users/me/wants?per_page=10&sort=added")
    }

    @Test func bodyIsRenderedPerRequest() throws {
        let plan = try plan("""
              - name: w
                method: PUT
                path: /w/{id}
                foreach: {id: [7]}
                body: {notes: "id {id}", rating: 5}
            """)
        #expect(Array(plan).first?.body == #"{"notes":"id 7","rating":5}"#)
    }

    @Test func hugeRangeFailsAtLoadWithoutExpanding() {
        let result = Fixtures.load("""
            version: 1
            user_agent: t/1
            requests:
              - name: big
                path: /r/{id}
                foreach: {id: {range: {from: 1, to: 1000000000000}}}
            """)
        #expect(result.errors.map(\.description) == [
            "job.yaml:6:19: error: requests[0].foreach: expands to 1000000000000 requests; a job may expand to at most 10000000 (split it into several jobs or shards)"
        ])
    }

    @Test func productOverflowIsCaught() {
        let result = Fixtures.load("""
            version: 1
            user_agent: t/1
            requests:
              - name: big
                path: /r/{a}/{b}
                foreach:
                  a: {range: {from: -9223372036854775808, to: 9223372036854775807}}
                  b: {range: {from: 1, to: 1000}}
            """)
        #expect(result.errors.first?.message.contains("more than 9223372036854775807") == true)
    }

    @Test func estimateIsTheWindowsTheBudgetNeeds() throws {
        let p = try plan("  - {name: r, path: \"/r/{i}\", foreach: {i: {range: {from: 1, to: 300}}}}\n",
            vars: "auth: {mode: token}\nrate: {limit: 60, window: 6s}\n")
        #expect(p.minimumDuration == .seconds(24))
        #expect(!p.isLowerBound)
        #expect(PlanFormatter.summary(p) == "300 requests; at least 24s at 60 requests per 6s")
    }

    @Test func jsonLinesCarryKeyMethodURLVars() throws {
        let p = try plan("  - {name: r, path: \"/r/{i}\", foreach: {i: [\"a\\\"b\"]}, paginate: true, items: x.y}\n")
        #expect(p.map(PlanFormatter.json) == [
            #"{"key":"r/i=a%22b","request":"r","method":"GET","url":"https://api.example.org/r/a%22b","vars":{"i":"a\"b"},"paginate":true,"items":"x.y"}"#
        ])
        #expect(PlanFormatter.summary(p).hasPrefix("at least 1 request, before the pages pagination adds"))
    }

    @Test(arguments: [1, 2, 3, 7])
    func shardsPartitionThePlan(_ count: Int) throws {
        let p = try plan("""
              - {name: a, path: "/a/{i}", foreach: {i: {range: {from: 1, to: 500}}}}
              - {name: b, path: "/b/{x}", foreach: {x: [p, q, r]}}
            """)
        let keys = p.map(\.key)
        var seen = Set<String>()
        for shard in 0..<count {
            let part = keys.filter { Plan.shard(of: $0, count: count) == shard }
            #expect(seen.isDisjoint(with: part))
            seen.formUnion(part)
            if count > 1 { #expect(part.count < keys.count) }
        }
        #expect(seen == Set(keys))
        #expect(Plan.shard(of: "release/id=1", count: 4) == Plan.shard(of: "release/id=1", count: 4))
    }

    @Test func dependentRequestsAreLeftToTheRunAndNamedInTheEstimate() throws {
        let plan = try plan("""
              - {name: wants, path: /users/u/wants, query: {sort: added}, paginate: true, items: wants}
              - name: release
                path: /releases/{id}
                foreach:
                  id: {from: wants, select: basic_information.id}
                  cur: [EUR, USD]
            """)
        #expect(plan.map(\.key) == ["wants"])
        #expect(plan.count == 1 && plan.isLowerBound)
        #expect(plan.dependentRequests.map(\.name) == ["release"])
        let spec = plan.dependentRequests[0]
        #expect(PlanFormatter.dependentRow(spec, job: plan.job) == "release  GET  https://api.example.org/releases/{id}  (count known at run time: one per distinct basic_information.id of wants's records, times 2 for its other foreach keys)")
        #expect(PlanFormatter.dependentJSON(spec, job: plan.job).hasSuffix(#""from":"wants","select":"basic_information.id","count":null}"#))
        #expect(PlanFormatter.summary(plan).hasPrefix("at least 1 request, before the pages pagination adds and the dependent request release, counted at run time;"))
    }
}
