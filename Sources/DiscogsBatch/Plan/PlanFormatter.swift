/// Text forms of a plan for the `plan` command.
public enum PlanFormatter {
    /// `KEY  METHOD  URL`.
    public static func row(_ request: PlannedRequest) -> String {
        "\(request.key)  \(request.method.rawValue)  \(request.url)"
    }

    /// One JSON object: key, request, method, url, vars, and body, paginate, items when set.
    public static func json(_ request: PlannedRequest) -> String {
        var out = "{\"key\":"
        JSONText.appendString(request.key, to: &out)
        out += ",\"request\":"
        JSONText.appendString(request.name, to: &out)
        out += ",\"method\":\"\(request.method.rawValue)\",\"url\":"
        JSONText.appendString(request.url, to: &out)
        out += ",\"vars\":{"
        for (i, v) in request.vars.enumerated() {
            if i > 0 { out += "," }
            JSONText.appendString(v.name, to: &out)
            out += ":"
            JSONText.appendString(v.value, to: &out)
        }
        out += "}"
        if let body = request.body { out += ",\"body\":\(body)" }
        if let paginate = request.paginate {
            out += ",\"paginate\":" + (paginate.maxPages.map { "{\"max_pages\":\($0)}" } ?? "true")
        }
        if let items = request.items {
            out += ",\"items\":"
            JSONText.appendString(items, to: &out)
        }
        return out + "}"
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
