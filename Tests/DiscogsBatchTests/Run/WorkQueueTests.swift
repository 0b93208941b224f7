import Testing
@testable import DiscogsBatch

/// The work queue alone: what it hands out, in which order, and when it says done, driven by the
/// reports a runner would give it.
@Suite("Run: work queue")
struct WorkQueueTests {
    static let requests = """
          - name: collection
            path: /users/u/collection/folders/0/releases
            paginate: true
            items: releases
          - name: release
            path: /releases/{id}
            foreach:
              id: {from: collection, select: basic_information.id}
          - name: price
            path: /marketplace/stats/{id}
            query: {curr_abbr: "{cur}"}
            foreach:
              id: {from: release, select: id}
              cur: [EUR, USD]
          - {name: identity, path: /oauth/identity}
        """

    func job(_ requests: String = requests) throws -> Job {
        let result = Fixtures.load("version: 1\nuser_agent: t/1\nbase_url: https://api.example.org\nrequests:\n\(requests)")
        #expect(result.errors.map(\.description) == [])
        return try result.get()
    }

    func item(_ queue: inout WorkQueue) -> WorkQueue.Item? {
        if case .work(let item) = queue.next() { return item }
        return nil
    }

    func values(_ ids: [String], consumer: Int, from: String, seq: Int = 1) -> [SourceValue] {
        ids.map { SourceValue(consumer: consumer, value: $0, from: from, seq: seq) }
    }

    @Test func pagesAreHandedOutOnceTheFirstSaysHowManyAndChildrenComeFirst() throws {
        var queue = WorkQueue(job: try job(), shard: nil, resumed: nil)
        #expect(queue.counts.planned == 2)  // collection and identity; the rest only the run knows
        let first = try #require(item(&queue))
        #expect(first.page == 1 && first.request.name == "collection")
        // The static plan goes on while page 1 is in flight.
        let identity = try #require(item(&queue))
        #expect(identity.request.name == "identity")
        guard case .wait = queue.next() else {
            Issue.record("page 1 in flight: the next pages are not known yet, so a worker must wait")
            return
        }
        queue.finished(first, .init(succeeded: true, pages: 3, values: values(["5", "6", "5"], consumer: 1, from: "collection/page=1/item=0")))
        // The two distinct releases first (the duplicate 5 is dropped), then the other pages.
        let a = try #require(item(&queue))
        let b = try #require(item(&queue))
        #expect([a.request.key, b.request.key] == ["release/id=5", "release/id=6"])
        #expect(a.from == "collection/page=1/item=0" && a.seq == 1)
        #expect(a.request.url == "https://api.example.org/releases/5")
        let page2 = try #require(item(&queue))
        let page3 = try #require(item(&queue))
        #expect([page2.page, page3.page] == [2, 3])
        #expect(queue.counts.planned == 4)

        // A release gives its price requests: one per currency, the dependent value crossed with the list.
        queue.finished(a, .init(succeeded: true, values: values(["5"], consumer: 2, from: "release/id=5")))
        let eur = try #require(item(&queue))
        let usd = try #require(item(&queue))
        #expect([eur.request.key, usd.request.key] == ["price/id=5/cur=EUR", "price/id=5/cur=USD"])
        #expect(usd.request.url == "https://api.example.org/marketplace/stats/5?curr_abbr=USD")

        for done in [b, page2, page3, eur, usd, identity] { queue.finished(done, .init(succeeded: true)) }
        guard case .done = queue.next() else {
            Issue.record("everything reported: the queue is done")
            return
        }
        #expect(queue.counts.completed == 6)  // collection (one walk), 2 releases, 2 prices, identity
        #expect(queue.counts.failed == 0)
        #expect(!queue.isGrowing)
    }

    @Test func aFailedPageEndsItsWalkAndTheWalkCountsOnceAsFailed() throws {
        var queue = WorkQueue(job: try job("  - {name: list, path: /l, paginate: true}\n"), shard: nil, resumed: nil)
        let first = try #require(item(&queue))
        queue.finished(first, .init(succeeded: true, pages: 5))
        let p2 = try #require(item(&queue))
        let p3 = try #require(item(&queue))
        queue.finished(p2, .init(succeeded: false))
        // Page 3 is in flight; nothing more is handed out after the failure.
        guard case .wait = queue.next() else {
            Issue.record("page 3 in flight after a failure: wait, hand out no more pages")
            return
        }
        queue.finished(p3, .init(succeeded: true, pages: 5))
        guard case .done = queue.next() else {
            Issue.record("the walk ended at its failure")
            return
        }
        #expect(queue.counts.completed == 1 && queue.counts.failed == 1)
    }

    @Test func maxPagesEndsTheWalkAsASuccess() throws {
        var queue = WorkQueue(job: try job("  - {name: list, path: /l, paginate: {max_pages: 2}}\n"), shard: nil, resumed: nil)
        let first = try #require(item(&queue))
        queue.finished(first, .init(succeeded: true, pages: 9))
        let second = try #require(item(&queue))
        #expect(second.page == 2)
        queue.finished(second, .init(succeeded: true, pages: 9))
        guard case .done = queue.next() else {
            Issue.record("max_pages reached: done")
            return
        }
        #expect(queue.counts.completed == 1 && queue.counts.failed == 0)
    }

    @Test func resumedRecordsAreSkippedAndTheirValuesStillFeedChildren() throws {
        var resumed = ResumeState()
        resumed.done["collection/page=1"] = .init(pages: 2, failed: false)
        resumed.done["release/id=5"] = .init(pages: nil, failed: false)
        resumed.sourceValues = values(["5", "7"], consumer: 1, from: "collection/page=1/item=0")
        var queue = WorkQueue(job: try job(), shard: nil, resumed: resumed)
        // Release 5 is in the output already; 7 is not. Page 2 is still to fetch.
        let seven = try #require(item(&queue))
        #expect(seven.request.key == "release/id=7" && seven.from == "collection/page=1/item=0")
        let page2 = try #require(item(&queue))
        #expect(page2.page == 2 && page2.request.name == "collection")
        #expect(queue.counts.skipped == 2)  // page 1 and release 5
    }

    @Test func aShardFetchesSourcesItDoesNotOwnWithoutWritingThem() throws {
        let job = try job()
        var owned = 0
        for index in 0..<3 {
            var queue = WorkQueue(job: job, shard: (index, 3), resumed: nil)
            let first = try #require(item(&queue))
            #expect(first.request.name == "collection")
            #expect(first.writes == (Plan.shard(of: "collection", count: 3) == index))
            queue.finished(first, .init(succeeded: true, pages: 1, values: values((1...30).map(String.init), consumer: 1, from: "c")))
            var releases: [WorkQueue.Item] = []
            while let next = item(&queue), next.request.name == "release" { releases.append(next) }
            // A release is a source of prices, so every shard fetches all 30; each writes its own.
            #expect(releases.count == 30)
            owned += releases.filter(\.writes).count
            #expect(releases.allSatisfy { $0.writes == (Plan.shard(of: $0.request.key, count: 3) == index) })
        }
        #expect(owned == 30)
    }
}
