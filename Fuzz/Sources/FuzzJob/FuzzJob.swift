import DiscogsBatch
import Foundation

/// One input is a job file: YAML parser, job loader, diagnostic rendering, and (when it loads) the first
/// requests of its plan, formatted both ways. Any crash, hang or runaway allocation is a finding;
/// errors are expected and exercised (their rendering quotes the source line).
///
/// The job "lives" in a scratch folder with a small foreach file, so `{file: ids.txt}` reaches real reading.
let folder: String = {
    let path = NSTemporaryDirectory() + "discogs-batch-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    try? "1\n2\n# comment\n\n3\n".write(toFile: path + "/ids.txt", atomically: true, encoding: .utf8)
    return path
}()

let loader = JobLoader(environment: ["DISCOGS_TOKEN": "fuzz-token", "DISCOGS_USER": "fuzz", "EMPTY": ""])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJob(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    let result = loader.load(bytes: bytes, file: folder + "/job.yaml")
    for diagnostic in result.diagnostics {
        _ = diagnostic.rendered(source: result.source)
    }
    guard let job = result.job else { return 0 }
    let plan = Plan(job: job)
    _ = PlanFormatter.summary(plan)
    var out: [UInt8] = []
    for request in plan.prefix(200) {
        _ = PlanFormatter.row(request)
        PlanFormatter.appendJSON(request, to: &out)
    }
    return 0
}
