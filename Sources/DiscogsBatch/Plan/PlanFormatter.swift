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

    /// `N requests; at least 4m at 60 requests per 1m (high tier)`, marked as a minimum with pagination.
    public static func summary(_ plan: Plan) -> String {
        let job = plan.job
        let budget = job.rate.budget(for: job.auth.mode)
        let tier = job.rate.limit == nil ? " (\(job.rate.effectiveTier(for: job.auth.mode).rawValue) tier)" : ""
        let count = "\(plan.isLowerBound ? "at least " : "")\(plan.count) request\(plan.count == 1 ? "" : "s")"
        let pages = plan.isLowerBound ? ", before the pages pagination adds" : ""
        return "\(count)\(pages); at least \(plan.minimumDuration.humanDescription) at \(budget) requests per \(job.rate.window.humanDescription)\(tier)"
    }
}
