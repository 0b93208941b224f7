import DiscogsBatch
import Foundation

/// One input is the content of an output file that `--resume` finds. The scanner must never crash, and
/// when it accepts the file, what it keeps must be exactly a prefix of the input that ends at a line end
/// (or is empty): it only ever cuts an incomplete tail.
let path = NSTemporaryDirectory() + "discogs-batch-fuzz-resume-\(getpid()).ndjson"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResume(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = Data(bytes: start, count: count)
    guard FileManager.default.createFile(atPath: path, contents: input) else { fatalError("cannot write \(path)") }
    guard let state = try? ResumeState.load(path: path) else { return 0 }
    // FileHandle, not FileManager.contents(atPath:): that one leaks 4 KiB per empty file in this
    // Foundation (LeakSanitizer showed it on the first minute of fuzzing).
    let kept = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).readToEnd()) ?? Data()
    precondition(kept.count + state.truncatedBytes == input.count, "truncatedBytes does not match what was cut")
    precondition(input.prefix(kept.count) == kept, "the scanner changed bytes it kept")
    precondition(kept.isEmpty || kept.last == 0x0A, "the kept part does not end at a line end")
    precondition(state.records >= state.done.count || state.done.isEmpty, "more completed keys than records")
    return 0
}
