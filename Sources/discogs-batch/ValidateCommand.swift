import ArgumentParser
import DiscogsBatch

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check job files; report every error and warning of each, compiler-style.",
        discussion: """
            Diagnostics go to standard error as FILE:LINE:COLUMN: error|warning: PATH: MESSAGE, followed by \
            the source line and a caret. Each valid file gets one line on standard output with its request \
            count. Nothing is sent. Exits 0 when every file is valid (warnings allowed), 2 otherwise.
            """
    )

    @Argument(help: ArgumentHelp("Job files to check.", valueName: "JOB.yaml"))
    var jobs: [String]

    func run() throws {
        var invalid = 0
        var out = StandardOutput()
        var loader = JobLoader.withCredentialStore()
        loader.credentialsOptional = true  // a CI lint step has no secrets: missing ones are warnings
        for path in jobs {
            let result = loader.load(path: path)
            Console.report(result)
            if let job = result.job {
                let plan = Plan(job: job)
                var count = "\(plan.isLowerBound ? "at least " : "")\(plan.count) request\(plan.count == 1 ? "" : "s")"
                let dependent = plan.dependentRequests.count
                if dependent > 0 { count += " and \(dependent) dependent request\(dependent == 1 ? "" : "s") counted at run time" }
                let warnings = result.warnings.count
                out.line("\(path): valid, \(count)\(warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : "")")
            } else {
                invalid += 1
                out.line("\(path): invalid, \(result.errors.count) error\(result.errors.count == 1 ? "" : "s")")
            }
        }
        out.flush()
        if invalid > 0 { throw ExitCode(2) }
    }
}
