/// The expansion of a job into requests: lazy, so a million-request plan costs no memory.
public struct Plan: Sequence, Sendable {
    public let job: Job

    public init(job: Job) {
        self.job = job
    }

    /// Requests known before the run: before pagination adds pages, without dependent requests.
    public var count: Int {
        job.requests.reduce(0) { $0 + ($1.dependency == nil ? $1.foreach.reduce(1) { $0 * $1.count } : 0) }
    }

    /// True when pages beyond the first or dependent requests make the real number larger than `count`.
    public var isLowerBound: Bool {
        job.requests.contains { $0.paginate != nil || $0.dependency != nil }
    }

    /// The requests whose count only the run knows: their values come from earlier requests' records.
    public var dependentRequests: [RequestSpec] {
        job.requests.filter { $0.dependency != nil }
    }

    /// The shortest time the rate budget allows for `count` requests: the last one may go out after
    /// `(count - 1) / budget` full windows.
    public var minimumDuration: Duration {
        let budget = job.rate.budget(for: job.auth.mode)
        guard count > 1 else { return .zero }
        return job.rate.window * ((count - 1) / budget)
    }

    /// The shard (0..<count) a key belongs to: FNV-1a of its UTF-8, so every machine agrees.
    public static func shard(of key: String, count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(Swift.max(1, count)))
    }

    public func makeIterator() -> Iterator {
        Iterator(job: job)
    }

    public struct Iterator: IteratorProtocol, Sendable {
        let job: Job
        var requestIndex = 0
        var counters: [Int] = []
        var started = false

        init(job: Job) {
            self.job = job
        }

        public mutating func next() -> PlannedRequest? {
            // The request is read in place (`job.requests[requestIndex]`), not copied per planned request.
            while requestIndex < job.requests.count {
                if !started {
                    started = true
                    counters = Array(repeating: 0, count: job.requests[requestIndex].foreach.count)
                    // Dependent requests are planned by the run, as their sources' records come.
                    if job.requests[requestIndex].dependency != nil
                        || job.requests[requestIndex].foreach.contains(where: { $0.count == 0 })
                    {
                        advanceRequest()
                        continue
                    }
                    return make(job.requests[requestIndex])
                }
                var axis = counters.count - 1
                while axis >= 0 {
                    counters[axis] += 1
                    if counters[axis] < job.requests[requestIndex].foreach[axis].count { break }
                    counters[axis] = 0
                    axis -= 1
                }
                if axis < 0 {
                    advanceRequest()
                    continue
                }
                return make(job.requests[requestIndex])
            }
            return nil
        }

        private mutating func advanceRequest() {
            requestIndex += 1
            started = false
        }

        private func make(_ spec: RequestSpec) -> PlannedRequest {
            var vars: [(name: String, value: String)] = []
            vars.reserveCapacity(spec.foreach.count)
            for (axis, index) in zip(spec.foreach, counters) {
                vars.append((axis.name, axis.value(at: index)))
            }
            return Plan.request(spec, index: requestIndex, vars: vars, job: job)
        }
    }

    /// The request `spec` (at `index` in the job) makes with these foreach values, in the order its keys
    /// are written: its key, URL and body.
    public static func request(
        _ spec: RequestSpec, index requestIndex: Int, vars: [(name: String, value: String)], job: Job
    ) -> PlannedRequest {
        var key = spec.name
        for (name, value) in vars {
            key += "/\(name)=\(PercentEncoding.encode(value, table: PercentEncoding.keyValueTable))"
        }
        let globals = job.vars
        let lookup: (String) -> String = { name in
            vars.first { $0.name == name }?.value ?? globals[name] ?? ""
        }
        var url = job.baseURL
        url += spec.path.render(lookup) { PercentEncoding.encode($0, table: PercentEncoding.pathSegmentTable) }
        var separator = "?"
        for item in spec.query {
            url += separator
            url += PercentEncoding.encode(item.name, table: PercentEncoding.unreservedTable)
            url += "="
            url += PercentEncoding.encode(item.value.render(lookup), table: PercentEncoding.unreservedTable)
            separator = "&"
        }
        return PlannedRequest(
            key: key, requestIndex: requestIndex, name: spec.name, vars: vars, method: spec.method, url: url,
            headers: spec.headers, body: spec.body?.render(lookup), paginate: spec.paginate, items: spec.items)
    }
}
