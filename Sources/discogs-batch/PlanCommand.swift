import ArgumentParser
import DiscogsBatch

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the requests a job expands to, their count and the time the rate budget needs.",
        discussion: """
            Prints one line per planned request (key, method, URL) or, with --json, one JSON object per \
            line with key, request, method, url and vars (plus body, paginate and items when set). \
            Credentials are never shown: they are added when the request is sent. The count and the time \
            estimate go to standard error; with pagination, pages after the first are not known in \
            advance, so both are minimums. A dependent request (foreach from an earlier request's records) \
            gets one line with its URL template and "count known at run time" (in JSON, "count": null). \
            Nothing is sent. Exits 2 when the job is invalid.
            """
    )

    @Argument(help: ArgumentHelp("The job file.", valueName: "JOB.yaml"))
    var job: String

    @Flag(help: "One JSON object per planned request instead of a table.")
    var json = false

    func run() throws {
        var loader = JobLoader.withCredentialStore()
        loader.credentialsOptional = true  // planning sends nothing: missing secrets are warnings
        let result = loader.load(path: job)
        Console.report(result)
        guard let job = result.job else { throw ExitCode(2) }
        let plan = Plan(job: job)
        var out = StandardOutput()
        let json = json  // read the flag once, not per request
        for request in plan {
            if json { out.jsonLine(request) } else { out.line(PlanFormatter.row(request)) }
        }
        for spec in plan.dependentRequests {
            out.line(json ? PlanFormatter.dependentJSON(spec, job: job) : PlanFormatter.dependentRow(spec, job: job))
        }
        out.flush()
        Console.error(PlanFormatter.summary(plan))
    }
}
