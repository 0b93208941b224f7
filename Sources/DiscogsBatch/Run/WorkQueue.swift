import DequeModule

/// Where a run's next HTTP request comes from. The static plan, the pages of a walk once its first page
/// has said how many there are, and the requests that earlier requests' records make (dependent
/// requests) all feed it; workers take from it and report back what each item gave.
///
/// Pure bookkeeping, no I/O: the runner holds it under its lock and the tests drive it directly.
///
/// Order of preference: dependent requests already made, then values recovered from the output being
/// resumed, then pages of walks, then the static plan. Preferring what was made over fetching more
/// sources keeps the queue short however large the fan-out: a source page adds at most its items.
struct WorkQueue {
    /// One URL to fetch to its final outcome.
    struct Item {
        var request: PlannedRequest
        /// The plan position of the static request the item comes from (a dependent request carries its
        /// source's): stable across runs, resumes and shards.
        var seq: Int
        /// The page to ask for (paginated requests), 1-based.
        var page: Int?
        /// The key of the source record whose value made this request (dependent requests).
        var from: String?
        /// False when this shard fetches the item only to learn the values it gives others.
        var writes: Bool
        /// The walk the page belongs to.
        var walk: Int?
    }

    enum Next {
        case work(Item)
        /// Nothing to hand out now, but items in flight may make more.
        case wait
        case done
    }

    /// What the run learnt from one item: whether it succeeded, its page count, and the values its
    /// records give to the requests that take values from it.
    struct Report {
        var succeeded: Bool
        /// `pagination.pages` of a page's answer, when the server said it.
        var pages: Int?
        var values: [SourceValue] = []
    }

    /// A paginated request being walked: pages are handed out once page 1 says how many there are.
    struct Walk {
        var request: PlannedRequest
        var seq: Int
        var from: String?
        var writes: Bool
        var next = 2
        /// The last page to walk, known once page 1 has answered.
        var last: Int?
        var inFlight = 0
        var failed = false
    }

    /// Counters the runner folds into its summary.
    struct Counts {
        /// Requests found so far: the static plan's own, plus dependent requests as they are made.
        var planned = 0
        /// Requests (whole walks for paginated ones) that reached their final record.
        var completed = 0
        var failed = 0
        /// Requests or pages the output being resumed already held.
        var skipped = 0
    }

    let job: Job
    let shard: (index: Int, count: Int)?
    let resumed: ResumeState?
    /// Requests that other requests take values from, by name.
    let sources: Set<String>

    private var plan: Plan.Iterator
    private var planSeq = 0
    private var dependents: Deque<SourceValue> = []
    /// Items made together with another (a dependent value's other foreach combinations), handed out first.
    private var pending: Deque<Item> = []
    private var recovered: [SourceValue]
    private var recoveredNext = 0
    /// Per dependent request: the values it has taken, so that each is requested once.
    private var seen: [Int: Set<String>] = [:]
    private var walks: [Int: Walk] = [:]
    private var walksWithPages: Deque<Int> = []
    private var nextWalk = 0
    private(set) var inFlight = 0
    private(set) var counts = Counts()
    private var planExhausted = false

    init(job: Job, shard: (index: Int, count: Int)?, resumed: ResumeState?) {
        self.job = job
        self.shard = shard
        self.resumed = resumed
        self.sources = Set(job.requests.compactMap { $0.dependency?.from })
        let plan = Plan(job: job)
        self.plan = plan.makeIterator()
        self.recovered = resumed?.sourceValues ?? []
        counts.planned = plan.count
    }

    /// True while more requests may be found: pages not yet known, dependent requests not yet made.
    var isGrowing: Bool {
        !(planExhausted && inFlight == 0 && pending.isEmpty && dependents.isEmpty && walksWithPages.isEmpty
            && recoveredNext == recovered.count)
    }

    /// The next item to send, or why there is none.
    mutating func next() -> Next {
        while true {
            if let item = pending.popFirst() { return dispatched(item) }
            if let value = dependents.popFirst() {
                if let item = take(value) { return dispatched(item) }
                continue
            }
            if recoveredNext < recovered.count {
                admit(recovered[recoveredNext])
                recoveredNext += 1
                continue
            }
            if let item = nextPage() { return dispatched(item) }
            if !planExhausted, let request = plan.next() {
                planSeq += 1
                if let item = start(request, seq: planSeq, from: nil) { return dispatched(item) }
                continue
            }
            planExhausted = true
            return inFlight > 0 ? .wait : .done
        }
    }

    private mutating func dispatched(_ item: Item) -> Next {
        inFlight += 1
        if let walk = item.walk { walks[walk]?.inFlight += 1 }
        return .work(item)
    }

    /// Records what an item gave: pages to walk, values for dependent requests, and completion.
    mutating func finished(_ item: Item, _ report: Report) {
        inFlight -= 1
        for value in report.values { admit(value) }
        guard let id = item.walk, var walk = walks[id] else {
            if item.writes { complete(failed: !report.succeeded) }
            return
        }
        walk.inFlight -= 1
        if !report.succeeded {
            walk.failed = true
        } else if item.page == 1 {
            walk.last = lastPage(walk.request, reported: report.pages)
            if walk.next <= walk.last! { walksWithPages.append(id) }
        }
        walks[id] = walk
        endIfDone(id)
    }

    /// An item that will not report (its worker stopped): it no longer counts as in flight.
    mutating func abandoned(_ item: Item) {
        inFlight -= 1
        if let id = item.walk { walks[id]?.inFlight -= 1 }
    }

    // MARK: - Requests and walks

    /// The item for a new request, or nil when it is not this run's to send (another shard's, or
    /// already in the output being resumed).
    private mutating func start(_ request: PlannedRequest, seq: Int, from: String?) -> Item? {
        let owned = shard.map { Plan.shard(of: request.key, count: $0.count) == $0.index } ?? true
        let isSource = sources.contains(request.name)
        guard owned || isSource else { return nil }
        if from != nil && owned { counts.planned += 1 }
        guard request.paginate != nil else {
            if owned, resumed?.done[request.key] != nil {
                counts.skipped += 1
                counts.completed += 1
                return nil
            }
            return Item(request: request, seq: seq, page: nil, from: from, writes: owned, walk: nil)
        }
        let id = nextWalk
        nextWalk += 1
        var walk = Walk(request: request, seq: seq, from: from, writes: owned)
        // Pages the output being resumed holds are skipped; a walk that failed there goes no further.
        if owned, let first = resumed?.done["\(request.key)/page=1"] {
            counts.skipped += 1
            walk.last = lastPage(request, reported: first.pages)
            walk.failed = first.failed
            walks[id] = walk
            if !walk.failed && walk.next <= walk.last! { walksWithPages.append(id) }
            endIfDone(id)
            return nil
        }
        walks[id] = walk
        return Item(request: request, seq: seq, page: 1, from: from, writes: owned, walk: id)
    }

    /// The last page to ask for: the count page 1 reported, within `max_pages`, and no further than one
    /// page past what Discogs serves of the list (whose error record then names the cap).
    private func lastPage(_ request: PlannedRequest, reported: Int?) -> Int {
        let cap = JobRunner<ContinuousClock>.pageCap(url: request.url).map { $0 + 1 } ?? Int.max
        return min(reported ?? 1, request.paginate?.maxPages ?? Int.max, cap)
    }

    /// The next page of the first walk that has one to hand out.
    private mutating func nextPage() -> Item? {
        while let id = walksWithPages.first {
            guard var walk = walks[id], !walk.failed, let last = walk.last, walk.next <= last else {
                walksWithPages.removeFirst()
                endIfDone(id)
                continue
            }
            let page = walk.next
            walk.next += 1
            walks[id] = walk
            if walk.writes, let done = resumed?.done["\(walk.request.key)/page=\(page)"] {
                counts.skipped += 1
                if done.failed { walks[id]?.failed = true }
                continue
            }
            return Item(request: walk.request, seq: walk.seq, page: page, from: walk.from, writes: walk.writes, walk: id)
        }
        return nil
    }

    /// Ends a walk with nothing in flight and nothing left to hand out, counting it once.
    private mutating func endIfDone(_ id: Int) {
        guard let walk = walks[id], walk.inFlight == 0 else { return }
        let more = !walk.failed && (walk.last.map { walk.next <= $0 } ?? true)
        guard !more else { return }
        walks[id] = nil
        if walk.writes { complete(failed: walk.failed) }
    }

    private mutating func complete(failed: Bool) {
        counts.completed += 1
        if failed { counts.failed += 1 }
    }

    // MARK: - Dependent requests

    /// Queues a value for its dependent request unless that request already took it.
    private mutating func admit(_ value: SourceValue) {
        guard seen[value.consumer, default: []].insert(value.value).inserted else { return }
        dependents.append(value)
    }

    /// The item of a dependent request's value; with other foreach keys, one item per combination
    /// (the first returned, the rest handed out next).
    private mutating func take(_ value: SourceValue) -> Item? {
        let spec = job.requests[value.consumer]
        guard let dependency = spec.dependency else { return nil }
        let others = spec.foreach.indices.filter { $0 != dependency.axis }
        if others.contains(where: { spec.foreach[$0].count == 0 }) { return nil }
        var first: Item?
        var counters = Array(repeating: 0, count: others.count)
        repeat {
            var vars: [(name: String, value: String)] = []
            var position = 0
            for (index, axis) in spec.foreach.enumerated() {
                if index == dependency.axis {
                    vars.append((axis.name, value.value))
                } else {
                    vars.append((axis.name, axis.value(at: counters[position])))
                    position += 1
                }
            }
            let request = Plan.request(spec, index: value.consumer, vars: vars, job: job)
            if let item = start(request, seq: value.seq, from: value.from) {
                if first == nil { first = item } else { pending.append(item) }
            }
        } while Self.advance(&counters, limits: others.map { spec.foreach[$0].count })
        return first
    }

    /// Odometer step over `limits`; false after the last combination.
    static func advance(_ counters: inout [Int], limits: [Int]) -> Bool {
        var axis = counters.count - 1
        while axis >= 0 {
            counters[axis] += 1
            if counters[axis] < limits[axis] { return true }
            counters[axis] = 0
            axis -= 1
        }
        return false
    }
}
