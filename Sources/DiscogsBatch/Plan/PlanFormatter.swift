/// Text forms of a plan for the `plan` command.
public enum PlanFormatter {
    /// `KEY  METHOD  URL`.
    public static func row(_ request: PlannedRequest) -> String {
        "\(request.key)  \(request.method.rawValue)  \(request.url)"
    }

    /// One JSON object: key, request, method, url, vars, and body, paginate, items when set.
    public static func json(_ request: PlannedRequest) -> String {
        var out: [UInt8] = []
        appendJSON(request, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The same object appended as UTF-8 bytes, without a newline (the fast path of `plan --json`).
    public static func appendJSON(_ request: PlannedRequest, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"key":"#.utf8)
        JSONText.appendString(request.key, to: &out)
        out.append(contentsOf: #","request":"#.utf8)
        JSONText.appendString(request.name, to: &out)
        out.append(contentsOf: #","method":""#.utf8)
        out.append(contentsOf: request.method.rawValue.utf8)
        out.append(contentsOf: #"","url":"#.utf8)
        JSONText.appendString(request.url, to: &out)
        out.append(contentsOf: #","vars":{"#.utf8)
        for (i, v) in request.vars.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(v.name, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONText.appendString(v.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        if let body = request.body {
            out.append(contentsOf: #","body":"#.utf8)
            out.append(contentsOf: body.utf8)
        }
        if let paginate = request.paginate {
            out.append(contentsOf: #","paginate":"#.utf8)
            out.append(contentsOf: (paginate.maxPages.map { "{\"max_pages\":\($0)}" } ?? "true").utf8)
        }
        if let items = request.items {
            out.append(contentsOf: #","items":"#.utf8)
            JSONText.appendString(items, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A dependent request, whose count only the run knows: `NAME  METHOD  URL-TEMPLATE  (count known at
    /// run time: one per distinct SELECT of FROM's records)`.
    public static func dependentRow(_ spec: RequestSpec, job: Job) -> String {
        "\(spec.name)  \(spec.method.rawValue)  \(job.baseURL)\(spec.path.source)  (\(dependentCount(spec)))"
    }

    /// The same as one JSON object: request, method, path, from, select, and `"count": null`.
    public static func dependentJSON(_ spec: RequestSpec, job: Job) -> String {
        var out: [UInt8] = []
        out.append(contentsOf: #"{"request":"#.utf8)
        JSONText.appendString(spec.name, to: &out)
        out.append(contentsOf: #","method":""#.utf8)
        out.append(contentsOf: spec.method.rawValue.utf8)
        out.append(contentsOf: #"","url":"#.utf8)
        JSONText.appendString(job.baseURL + spec.path.source, to: &out)
        if let dependency = spec.dependency {
            out.append(contentsOf: #","from":"#.utf8)
            JSONText.appendString(dependency.from, to: &out)
            out.append(contentsOf: #","select":"#.utf8)
            JSONText.appendString(dependency.select.description, to: &out)
        }
        out.append(contentsOf: #","count":null}"#.utf8)
        return String(decoding: out, as: UTF8.self)
    }

    static func dependentCount(_ spec: RequestSpec) -> String {
        guard let dependency = spec.dependency else { return "" }
        let others = spec.foreach.enumerated().filter { $0.offset != dependency.axis }.reduce(1) { $0 * $1.element.count }
        let times = others == 1 ? "" : ", times \(others) for its other foreach keys"
        return "count known at run time: one per distinct \(dependency.select) of \(dependency.from)'s records\(times)"
    }

    /// `N requests; at least 4m at 60 requests per 1m (high tier)`, marked as a minimum with pagination
    /// and naming the dependent requests it could not count.
    public static func summary(_ plan: Plan) -> String {
        let job = plan.job
        let budget = job.rate.budget(for: job.auth.mode)
        let tier = job.rate.limit == nil ? " (\(job.rate.effectiveTier(for: job.auth.mode).rawValue) tier)" : ""
        let count = "\(plan.isLowerBound ? "at least " : "")\(plan.count) request\(plan.count == 1 ? "" : "s")"
        var uncounted: [String] = []
        if job.requests.contains(where: { $0.paginate != nil }) { uncounted.append("the pages pagination adds") }
        let dependent = plan.dependentRequests.map(\.name)
        if !dependent.isEmpty {
            uncounted.append("the dependent request\(dependent.count == 1 ? "" : "s") \(dependent.joined(separator: ", ")), counted at run time")
        }
        let before = uncounted.isEmpty ? "" : ", before \(uncounted.joined(separator: " and "))"
        return "\(count)\(before); at least \(plan.minimumDuration.humanDescription) at \(budget) requests per \(job.rate.window.humanDescription)\(tier)"
    }
}
